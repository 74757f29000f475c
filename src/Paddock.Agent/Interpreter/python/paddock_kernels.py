"""Jupyter kernels of Paddock's code interpreter for the languages Debian packages no kernel for:
bash, JavaScript (Node.js), TypeScript and Java (JShell). All are ipykernel wrapper kernels: they speak the
Jupyter protocol through ipykernel and drive one long-lived interpreter process, so state lives across executions.

Run as: python3 -m paddock_kernels <bash|javascript|typescript|java> -f <connection file>
"""

import base64
import json
import os
import signal
import subprocess
import sys
import uuid

from ipykernel.kernelapp import IPKernelApp
from ipykernel.kernelbase import Kernel

HERE = os.path.dirname(os.path.abspath(__file__))


class _WrapperKernel(Kernel):
    implementation_version = "1.0"
    banner = ""

    def _stream(self, name, text):
        if text:
            self.send_response(self.iopub_socket, "stream", {"name": name, "text": text})

    def _error(self, name, value, traceback):
        content = {"ename": name, "evalue": value, "traceback": traceback}
        self.send_response(self.iopub_socket, "error", content)
        return dict(status="error", execution_count=self.execution_count, **content)

    def _ok(self):
        return {"status": "ok", "execution_count": self.execution_count, "payload": [], "user_expressions": {}}


class BashKernel(_WrapperKernel):
    """One bash process; each cell is sourced into it, so variables, functions and cwd persist."""

    implementation = "paddock_bash"
    language = "bash"
    language_version = "5"
    language_info = {"name": "bash", "mimetype": "text/x-sh", "file_extension": ".sh", "codemirror_mode": "shell"}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._marker = "__paddock_done_" + uuid.uuid4().hex
        self._bash = subprocess.Popen(
            ["/bin/bash", "--noprofile", "--norc"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True, bufsize=0)

    def do_execute(self, code, silent, store_history=True, user_expressions=None, allow_stdin=False, **kwargs):
        cell = os.path.join("/tmp", "paddock-cell-%d-%s.sh" % (os.getpid(), uuid.uuid4().hex))
        with open(cell, "w") as f:
            f.write(code + "\n")
        # The marker follows the cell's output directly, with the cell's exit status, then a newline.
        self._bash.stdin.write(("source %s </dev/null; printf '%s %%d\\n' $?; rm -f %s\n" % (cell, self._marker, cell)).encode())
        self._bash.stdin.flush()
        marker = self._marker.encode()
        pending = b""
        status = 0
        try:
            while True:
                chunk = os.read(self._bash.stdout.fileno(), 65536)
                if not chunk:
                    return self._error("KernelDied", "bash exited", [])
                pending += chunk
                index = pending.find(marker)
                if index >= 0 and pending.endswith(b"\n"):
                    if not silent:
                        self._stream("stdout", pending[:index].decode(errors="replace"))
                    status = int(pending[index + len(marker):].split()[0])
                    break
                # Whole lines go out as they come; a partial line (perhaps the marker's start) waits.
                cut = pending.rfind(b"\n")
                if index < 0 and cut >= 0:
                    if not silent:
                        self._stream("stdout", pending[:cut + 1].decode(errors="replace"))
                    pending = pending[cut + 1:]
        except KeyboardInterrupt:
            os.killpg(self._bash.pid, signal.SIGINT)
            return self._error("KeyboardInterrupt", "interrupted", [])
        if status != 0:
            return self._error("BashError", "exit status %d" % status, ["exit status %d" % status])
        return self._ok()

    def do_shutdown(self, restart):
        self._bash.kill()
        return super().do_shutdown(restart)


class _RunnerKernel(_WrapperKernel):
    """A kernel driving one long-lived interpreter process (a runner) over its stdin and stdout: a cell goes
    in as one line, JSON lines come back: {"stream","text"}, {"result"}, {"error"}, then {"done": true}."""

    runner = []
    runner_name = ""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._start()

    def _start(self):
        self._process = subprocess.Popen(
            self.runner, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0, start_new_session=True)
        self._lines = self._process.stdout

    def _send(self, line):
        self._process.stdin.write((line + "\n").encode())
        self._process.stdin.flush()

    def _encode(self, code):
        return json.dumps({"code": code})

    def _interrupt(self):
        """Stops the running cell; True if the runner goes on to report the cell as done."""
        return False

    def do_execute(self, code, silent, store_history=True, user_expressions=None, allow_stdin=False, **kwargs):
        self._send(self._encode(code))
        error = None
        interrupted = False
        while True:
            try:
                line = self._lines.readline()
            except KeyboardInterrupt:
                if interrupted or not self._interrupt():
                    # A busy runner that cannot be stopped from outside: end it and start a fresh one.
                    self._process.kill()
                    self._start()
                    return self._error("KeyboardInterrupt", "interrupted; the %s state was reset" % self.runner_name, [])
                interrupted = True
                continue
            if not line:
                self._start()
                return self._error("KernelDied", "%s exited; the %s state was reset" % (self.runner[0], self.runner_name), [])
            try:
                message = json.loads(line)
            except ValueError:
                # Bytes that got past the runner's own output streams (Java's FileDescriptor.out, say).
                message = {"stream": "stdout", "text": line.decode(errors="replace")}
            if "stream" in message and not silent:
                self._stream(message["stream"], message["text"])
            elif "result" in message and not silent:
                self.send_response(self.iopub_socket, "execute_result", {
                    "execution_count": self.execution_count, "data": {"text/plain": message["result"]}, "metadata": {}})
            elif "error" in message:
                # Read on to the cell's "done": what is left in the pipe would belong to the next cell.
                error = message["error"]
            elif message.get("done"):
                if interrupted and error is None:
                    return self._error("KeyboardInterrupt", "interrupted", [])
                return self._error(error["name"], error["message"], error["stack"].split("\n")) if error else self._ok()

    def do_shutdown(self, restart):
        self._process.kill()
        return super().do_shutdown(restart)


class JavascriptKernel(_RunnerKernel):
    """Node.js running paddock_node_runner.js: a persistent vm context, console output streamed, the last
    expression's value (awaited when it is a promise) as the result. A busy event loop cannot be
    interrupted from outside, so an interrupt starts a fresh Node.js."""

    implementation = "paddock_javascript"
    language = "javascript"
    language_version = "node"
    language_info = {"name": "javascript", "mimetype": "application/javascript", "file_extension": ".js"}
    # import() inside a vm context needs Node's vm modules, behind a flag in Node.js 18.
    runner = ["node", "--experimental-vm-modules", os.path.join(HERE, "paddock_node_runner.js")]
    runner_name = "JavaScript"


class TypescriptKernel(JavascriptKernel):
    """The JavaScript kernel with each cell transpiled by TypeScript (Debian's node-typescript) first."""

    implementation = "paddock_typescript"
    language = "typescript"
    language_info = {"name": "typescript", "mimetype": "text/typescript", "file_extension": ".ts"}
    runner = JavascriptKernel.runner + ["--typescript"]


class JavaKernel(_RunnerKernel):
    """JShell (the JDK's REPL engine) in one JVM running PaddockJShell.java: declarations, imports and
    variables persist across cells, System.out is streamed, the last expression's value is the result.
    An interrupt stops the running snippet and keeps the state."""

    implementation = "paddock_java"
    language = "java"
    language_version = "17"
    language_info = {"name": "java", "mimetype": "text/x-java-source", "file_extension": ".jshell"}
    # The serial collector: no collector threads per core, for a REPL's short-lived objects. C1 only: a cell is
    # mostly javac compiling a snippet, and on a small sandbox C2's compiling of javac cost more than it gave
    # (measured: first cell 1.3 s instead of 1.5-2.5 s, later cells 40-55 ms instead of 95-115, 30 MB less RSS).
    runner = ["java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", os.path.join(HERE, "PaddockJShell.java")]
    runner_name = "Java"

    def _encode(self, code):
        return base64.b64encode(code.encode()).decode()

    def _interrupt(self):
        self._send("STOP")
        return True


KERNELS = {"bash": BashKernel, "javascript": JavascriptKernel, "typescript": TypescriptKernel, "java": JavaKernel}

if __name__ == "__main__":
    kernel = KERNELS[sys.argv.pop(1)]
    IPKernelApp.launch_instance(kernel_class=kernel)
