// The Java side of Paddock's Java kernel (paddock_kernels.py): JShell, the JDK's own REPL engine, run in
// this JVM. It reads cells on stdin, one base64 line each (or the line STOP, which stops the running cell),
// runs each snippet of a cell in turn, and writes JSON lines back, as the JavaScript kernel's runner does:
// {"stream","text"} for output as it happens, {"result"} for the value of the cell's last expression,
// {"error"}, then {"done": true}. Launched as a single-file program: `java PaddockJShell.java`.
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Scanner;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Collectors;
import jdk.jshell.EvalException;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;

public final class PaddockJShell {
    // The protocol's channel: the process's real stdout. System.out is the cell's, turned into messages.
    private static final PrintStream PROTOCOL = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);

    // What jshell itself imports before the first line (its DEFAULT startup), so cells read as they would there.
    private static final String IMPORTS = String.join("\n",
        "import java.io.*;", "import java.math.*;", "import java.net.*;", "import java.nio.file.*;", "import java.util.*;",
        "import java.util.concurrent.*;", "import java.util.function.*;", "import java.util.prefs.*;", "import java.util.regex.*;",
        "import java.util.stream.*;");

    public static void main(String[] args) throws Exception {
        var stdout = new PrintStream(new Messages("stdout"), true, StandardCharsets.UTF_8);
        var stderr = new PrintStream(new Messages("stderr"), true, StandardCharsets.UTF_8);
        System.setOut(stdout);
        System.setErr(stderr);
        // The local engine runs cells in this JVM, in a thread of their own: no second JVM to start or feed.
        try (var shell = JShell.builder().executionEngine("local").out(stderr).err(stderr).build()) {
            run(shell, IMPORTS, false);
            var cells = new LinkedBlockingQueue<String>();
            var reader = new Thread(() -> {
                var lines = new Scanner(System.in, StandardCharsets.UTF_8);
                while (lines.hasNextLine()) {
                    var line = lines.nextLine();
                    if (line.equals("STOP")) {
                        shell.stop();
                    } else {
                        cells.add(new String(Base64.getDecoder().decode(line), StandardCharsets.UTF_8));
                    }
                }
                System.exit(0);
            }, "paddock-stdin");
            reader.setDaemon(true);
            reader.start();
            while (true) {
                var code = cells.take();
                try {
                    run(shell, code, true);
                } catch (RuntimeException e) {
                    send("error", "{\"name\":" + json(e.getClass().getSimpleName()) + ",\"message\":" + json(String.valueOf(e.getMessage())) + ",\"stack\":" + json(e.toString()) + "}");
                }
                stdout.flush();
                stderr.flush();
                PROTOCOL.println("{\"done\":true}");
            }
        }
    }

    /** Runs a cell snippet by snippet, up to its first error; the last snippet's value is the cell's result. */
    private static void run(JShell shell, String code, boolean report) {
        var analysis = shell.sourceCodeAnalysis();
        var remaining = code;
        String value = null;
        while (!remaining.isBlank()) {
            var info = analysis.analyzeCompletion(remaining);
            if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
                break;
            }

            String source;
            if (info.completeness().isComplete()) {
                source = info.source();
                remaining = info.remaining();
            } else {
                source = remaining;
                remaining = "";
            }

            value = null;
            for (SnippetEvent event : shell.eval(source)) {
                if (event.causeSnippet() != null) {
                    continue;
                }

                System.out.flush();
                System.err.flush();
                if (event.status() == Snippet.Status.REJECTED) {
                    if (report) {
                        var diagnostics = shell.diagnostics(event.snippet()).map(d -> d.getMessage(null)).collect(Collectors.toList());
                        var message = diagnostics.isEmpty() ? "the code is incomplete or not valid Java" : diagnostics.get(0);
                        error("CompilationException", message, source.strip() + "\n" + String.join("\n", diagnostics));
                    }
                    return;
                }

                if (event.exception() != null) {
                    if (report) {
                        exception(event.exception());
                    }
                    return;
                }

                value = valueOf(event);
            }
        }

        if (report && value != null) {
            send("result", json(value));
        }
    }

    // The value as String.valueOf shows it (a string without jshell's quotes); null is no result.
    private static String valueOf(SnippetEvent event) {
        var snippet = event.snippet();
        var isExpression = snippet instanceof ExpressionSnippet
            || snippet instanceof VarSnippet && snippet.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
        var value = event.value();
        if (!isExpression || value == null || value.equals("null")) {
            return null;
        }

        var type = snippet instanceof VarSnippet v ? v.typeName() : ((ExpressionSnippet) snippet).typeName();
        return type.equals("String") && value.length() >= 2 && value.startsWith("\"") ? unquote(value) : value;
    }

    private static void exception(JShellException exception) {
        var name = exception instanceof EvalException e ? simpleName(e.getExceptionClassName())
            : exception instanceof UnresolvedReferenceException ? "UnresolvedReferenceException"
            : exception.getClass().getSimpleName();
        var trace = new StringBuilder(exception instanceof EvalException e ? e.getExceptionClassName() : exception.getClass().getName());
        if (exception.getMessage() != null) {
            trace.append(": ").append(exception.getMessage());
        }

        for (var frame : exception.getStackTrace()) {
            trace.append("\n\tat ").append(frame);
        }

        error(name, exception.getMessage() == null ? "" : exception.getMessage(), trace.toString());
    }

    private static String simpleName(String className) {
        return className.substring(Math.max(className.lastIndexOf('.'), className.lastIndexOf('$')) + 1);
    }

    private static void error(String name, String message, String stack) {
        send("error", "{\"name\":" + json(name) + ",\"message\":" + json(message) + ",\"stack\":" + json(stack) + "}");
    }

    private static void send(String key, String jsonValue) {
        synchronized (PROTOCOL) {
            PROTOCOL.println("{\"" + key + "\":" + jsonValue + "}");
        }
    }

    private static String json(String text) {
        var out = new StringBuilder(text.length() + 2).append('"');
        for (var c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }

        return out.append('"').toString();
    }

    // jshell shows a string value as a Java literal; its escapes are undone here.
    private static String unquote(String literal) {
        var out = new StringBuilder(literal.length());
        for (var i = 1; i < literal.length() - 1; i++) {
            var c = literal.charAt(i);
            if (c != '\\' || i + 1 >= literal.length() - 1) {
                out.append(c);
                continue;
            }

            var next = literal.charAt(++i);
            switch (next) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case '0' -> out.append('\0');
                case 'u' -> {
                    out.append((char) Integer.parseInt(literal.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> out.append(next);
            }
        }

        return out.toString();
    }

    /** A cell's output stream: each flush (every println) sends what was written as one stream message. */
    private static final class Messages extends OutputStream {
        private final String stream;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        Messages(String stream) {
            this.stream = stream;
        }

        @Override
        public synchronized void write(int b) {
            pending.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            pending.write(b, off, len);
        }

        @Override
        public synchronized void flush() {
            if (pending.size() > 0) {
                var text = pending.toString(StandardCharsets.UTF_8);
                pending.reset();
                send("stream", json(stream) + ",\"text\":" + json(text));
            }
        }
    }
}
