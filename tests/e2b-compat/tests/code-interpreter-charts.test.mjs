// matplotlib figures as E2B's chart objects, through @e2b/code-interpreter@2.8.0: every chart type with the
// exact object E2B's chart extraction gives for the same figure (the programs are those of E2B's own SDK
// tests, with fixed data where theirs is random): values as numbers, units read from axis labels, scales,
// ticks, rounded pie angles, nulls for what a chart lacks.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox } from '@e2b/code-interpreter'

let sandbox
before(async () => {
  sandbox = await Sandbox.create()
})
after(async () => {
  await sandbox?.kill()
})

// The first result of a cell (the figure plt.show() displays) carries its PNG and its chart.
async function chartOf(code) {
  const execution = await sandbox.runCode(code)
  assert.equal(execution.error, undefined, execution.error?.traceback)
  const [result] = execution.results
  assert.ok(result?.png, `results: ${JSON.stringify(execution.results.map((r) => r.formats()))}`)
  return result.chart
}

test('bar: values are numbers, one element per bar, labels from the category axis, null units', async () => {
  const chart = await chartOf(`
import matplotlib.pyplot as plt
authors = ['Author A', 'Author B', 'Author C', 'Author D']
sales = [100, 200, 300, 400]
plt.figure(figsize=(10, 6))
plt.bar(authors, sales, label='Books Sold', color='blue')
plt.xlabel('Authors')
plt.ylabel('Number of Books Sold')
plt.title('Book Sales by Authors')
plt.tight_layout()
plt.show()`)
  assert.deepEqual(chart, {
    type: 'bar',
    title: 'Book Sales by Authors',
    x_label: 'Authors',
    y_label: 'Number of Books Sold',
    x_unit: null,
    y_unit: null,
    elements: [
      { label: 'Author A', group: 'Books Sold', value: 100 },
      { label: 'Author B', group: 'Books Sold', value: 200 },
      { label: 'Author C', group: 'Books Sold', value: 300 },
      { label: 'Author D', group: 'Books Sold', value: 400 },
    ],
  })
})

test('bar: a horizontal chart reports its categories as x; an unlabelled group is "Group N"', async () => {
  const chart = await chartOf(`
import matplotlib.pyplot as plt
plt.figure()
plt.barh(['north', 'south'], [7, 7])
plt.xlabel('Revenue [kEUR]')
plt.ylabel('Region')
plt.show()`)
  assert.deepEqual(chart, {
    type: 'bar',
    title: null,
    x_label: 'Region',
    y_label: 'Revenue [kEUR]',
    x_unit: null,
    y_unit: 'kEUR',
    elements: [
      { label: 'north', group: 'Group 0', value: 7 },
      { label: 'south', group: 'Group 0', value: 7 },
    ],
  })
})

test('line: datetime axis as ISO strings, units from "(s)" and "(Hz)", linear y with numeric ticks', async () => {
  const chart = await chartOf(`
import datetime
import matplotlib.pyplot as plt
dates = [datetime.date(2023, 9, 1) + datetime.timedelta(days=i) for i in range(3)]
plt.figure(figsize=(10, 6))
plt.plot(dates, [1.5, 0.5, 2], label='sin(x)')
plt.plot(dates, [0, 1, 0])
plt.xlabel("Time (s)")
plt.ylabel("Amplitude (Hz)")
plt.title('Plot of sin(x) and cos(x)')
plt.show()`)
  assert.deepEqual(chart, {
    type: 'line',
    title: 'Plot of sin(x) and cos(x)',
    x_label: 'Time (s)',
    y_label: 'Amplitude (Hz)',
    x_unit: 's',
    y_unit: 'Hz',
    x_scale: 'datetime',
    x_ticks: [
      '2023-09-01T00:00:00+00:00', '2023-09-01T06:00:00+00:00', '2023-09-01T12:00:00+00:00', '2023-09-01T18:00:00+00:00',
      '2023-09-02T00:00:00+00:00', '2023-09-02T06:00:00+00:00', '2023-09-02T12:00:00+00:00', '2023-09-02T18:00:00+00:00',
      '2023-09-03T00:00:00+00:00',
    ],
    x_tick_labels: ['09-01 00', '09-01 06', '09-01 12', '09-01 18', '09-02 00', '09-02 06', '09-02 12', '09-02 18', '09-03 00'],
    y_scale: 'linear',
    y_ticks: [-0.25, 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25],
    y_tick_labels: ['−0.25', '0.00', '0.25', '0.50', '0.75', '1.00', '1.25', '1.50', '1.75', '2.00', '2.25'],
    elements: [
      { label: 'sin(x)', points: [['2023-09-01', 1.5], ['2023-09-02', 0.5], ['2023-09-03', 2]] },
      { label: 'Line 1', points: [['2023-09-01', 0], ['2023-09-02', 1], ['2023-09-03', 0]] },
    ],
  })
})

test('line: a log axis has scale "log", and "(log scale)" in its label is its unit', async () => {
  const chart = await chartOf(`
import numpy as np
import matplotlib.pyplot as plt
x = np.linspace(0, 100, 100)
plt.figure(figsize=(10, 6))
plt.plot(x, np.exp(x), label='y = e^x')
plt.yscale('log')
plt.xlabel('X-axis')
plt.ylabel('Y-axis (log scale)')
plt.title('Chart with Log Scale on Y-axis')
plt.legend()
plt.grid(True)
plt.show()`)
  assert.equal(chart.type, 'line')
  assert.deepEqual([chart.x_unit, chart.y_unit, chart.x_scale, chart.y_scale], [null, 'log scale', 'linear', 'log'])
  assert.ok(chart.x_ticks.every((t) => typeof t === 'number') && chart.y_ticks.every((t) => typeof t === 'number'))
  assert.deepEqual(chart.elements.map((e) => [e.label, e.points.length]), [['y = e^x', 100]])
  assert.deepEqual(chart.elements[0].points[0], [0, 1])
})

test('line: a categorical axis (5 points or 2) is "categorical", its ticks 0..n-1 and its points the names', async () => {
  const five = await chartOf(`
import matplotlib.pyplot as plt
plt.figure(figsize=(10, 6))
plt.plot([1, 2, 3, 4, 5], ['A', 'B', 'C', 'D', 'E'])
plt.show()`)
  assert.equal(five.x_scale, 'linear')
  assert.equal(five.y_scale, 'categorical')
  assert.deepEqual(five.y_ticks, [0, 1, 2, 3, 4])
  assert.deepEqual(five.y_tick_labels, ['A', 'B', 'C', 'D', 'E'])
  assert.deepEqual(five.elements, [{ label: 'Line 0', points: [[1, 'A'], [2, 'B'], [3, 'C'], [4, 'D'], [5, 'E']] }])

  const two = await chartOf("plt.figure()\nplt.plot([1, 2], ['A', 'B'])\nplt.show()")
  assert.equal(two.y_scale, 'categorical')
  assert.deepEqual(two.elements[0].points, [[1, 'A'], [2, 'B']])
})

test('scatter: one element per collection, null title and units, numeric ticks', async () => {
  const chart = await chartOf(`
import matplotlib.pyplot as plt
plt.figure()
plt.xlabel("A")
plt.ylabel("B")
plt.scatter([0.1, 0.5, 0.9], [0.2, 0.4, 0.8], c='blue', label='Dataset 1')
plt.scatter([0.3, 0.7], [0.6, 0.1], c='red', label='Dataset 2')
plt.show()`)
  assert.deepEqual(
    { ...chart, x_ticks: undefined, x_tick_labels: undefined, y_ticks: undefined, y_tick_labels: undefined },
    {
      type: 'scatter', title: null, x_label: 'A', y_label: 'B', x_unit: null, y_unit: null, x_scale: 'linear', y_scale: 'linear',
      x_ticks: undefined, x_tick_labels: undefined, y_ticks: undefined, y_tick_labels: undefined,
      elements: [
        { label: 'Dataset 1', points: [[0.1, 0.2], [0.5, 0.4], [0.9, 0.8]] },
        { label: 'Dataset 2', points: [[0.3, 0.6], [0.7, 0.1]] },
      ],
    })
  assert.ok(chart.x_ticks.length > 0 && chart.x_ticks.every((t) => typeof t === 'number'))
  assert.equal(chart.x_tick_labels.length, chart.x_ticks.length)
})

test('pie: angles rounded as E2B rounds them (324 and 36), radius, labels, title; no axes fields', async () => {
  const chart = await chartOf(`
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(8, 8))
plt.xlabel("x")
plt.ylabel("y")
ax.pie([90, 10], labels=["No", "No, in blue"], autopct='%1.1f%%', startangle=90)
ax.axis('equal')
plt.title('Will I wake up early tomorrow?')
plt.show()`)
  assert.deepEqual(chart, {
    type: 'pie',
    title: 'Will I wake up early tomorrow?',
    elements: [
      { label: 'No', angle: 324, radius: 1 },
      { label: 'No, in blue', angle: 36, radius: 1 },
    ],
  })
})

test('box and whisker: quartiles, whiskers, outliers and labels as numbers', async () => {
  const chart = await chartOf(`
import matplotlib.pyplot as plt
data = {
    'Class A': [85, 90, 78, 92, 88],
    'Class B': [95, 89, 76, 91, 84, 87],
    'Class C': [75, 82, 88, 79, 86]
}
fig, ax = plt.subplots(figsize=(10, 6))
ax.set_title('Exam Scores Distribution')
ax.set_xlabel('Class')
ax.set_ylabel('Score')
ax.boxplot(data.values(), labels=data.keys(), patch_artist=True)
plt.tight_layout()
plt.show()`)
  assert.deepEqual(chart, {
    type: 'box_and_whisker',
    title: 'Exam Scores Distribution',
    x_label: 'Class',
    y_label: 'Score',
    x_unit: null,
    y_unit: null,
    elements: [
      { label: 'Class A', min: 78, first_quartile: 85, median: 88, third_quartile: 90, max: 92, outliers: [] },
      { label: 'Class B', min: 84, first_quartile: 84.75, median: 88, third_quartile: 90.5, max: 95, outliers: [76] },
      { label: 'Class C', min: 75, first_quartile: 79, median: 82, third_quartile: 86, max: 88, outliers: [] },
    ],
  })
})

test('superchart: the figure title and one chart per axes; unknown: a figure of other artists', async () => {
  const superchart = await chartOf(`
import matplotlib.pyplot as plt
fig, axs = plt.subplots(1, 2, figsize=(10, 8))
fig.suptitle('Multiple Charts Example', fontsize=16)
axs[0].plot([0, 1, 2], [0, 1, 0], 'r')
axs[0].set_title('Sine Wave')
axs[0].grid(True)
axs[1].scatter([1, 2], [3, 4], c='blue', label='Dataset 1')
axs[1].set_xlabel('X')
axs[1].set_ylabel('Y')
axs[1].set_title('Scatter Plot')
plt.show()`)
  assert.equal(superchart.type, 'superchart')
  assert.equal(superchart.title, 'Multiple Charts Example')
  assert.deepEqual(superchart.elements.map((c) => [c.type, c.title, c.x_label, c.y_label]), [['line', 'Sine Wave', null, null], ['scatter', 'Scatter Plot', 'X', 'Y']])
  assert.deepEqual(superchart.elements[0].elements, [{ label: 'Line 0', points: [[0, 0], [1, 1], [2, 0]] }])
  assert.deepEqual(superchart.elements[1].elements, [{ label: 'Dataset 1', points: [[1, 3], [2, 4]] }])

  const unknown = await chartOf(`
fig, ax = plt.subplots()
ax.add_artist(plt.Circle((0, 0), 1, color='blue', fill=False, linewidth=2))
ax.add_artist(plt.Circle((0, 0), 2, color='red', fill=False, linewidth=2))
ax.grid(True)
plt.title('Two Concentric Circles')
plt.show()`)
  assert.deepEqual(unknown, { type: 'unknown', title: 'Two Concentric Circles', elements: [] })
})

test('a chart that cannot be read still comes back as its image, with an empty chart, and the reason is in the sandbox log', async () => {
  const chart = await chartOf(`
import matplotlib.pyplot as plt
from matplotlib.lines import Line2D

class Unreadable(Line2D):
    def get_xdata(self, orig=True):
        raise RuntimeError("this line keeps its data to itself")

fig, ax = plt.subplots()
ax.add_line(Unreadable([0, 1], [0, 1]))
plt.show()`)
  assert.deepEqual(chart, {})

  const url = `${process.env.E2B_API_URL}/v2/sandboxes/${sandbox.sandboxId}/logs?search=${encodeURIComponent('Chart extraction failed')}`
  const { logs } = await (await fetch(url, { headers: { 'X-API-Key': process.env.E2B_API_KEY } })).json()
  assert.equal(logs.length, 1, JSON.stringify(logs))
  assert.equal(logs[0].level, 'warn')
  assert.match(logs[0].message, /this line keeps its data to itself/)
})
