/**
 * Source locations the engine and the fold give the views: each call-stack frame's current line,
 * the line running, and where uncaught errors and unhandled rejections are reported.
 */
import { describe, expect, it } from "vitest";
import {
  EXAMPLES,
  eventLoopFold,
  getExample,
  runProgramSync,
  type EventLoopRun,
} from "#sim/eventloop";

type Ev = EventLoopRun["trace"][number];

function stepAfter(run: EventLoopRun, pred: (e: Ev) => boolean): number {
  const i = run.trace.findIndex(pred);
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}

describe("frame and current locations (fold)", () => {
  it("puts the caller of a built-in at the built-in’s call site while it runs", () => {
    const run = runProgramSync(getExample("microtasks-before-timers").source);
    const fold = eventLoopFold(run);
    // console.log('script end') is at line 9; the script's previous statement at line 7.
    const s = stepAfter(
      run,
      (e) => e.kind === "push" && e.name === "console.log" && e.loc?.line === 9,
    );
    const st = fold.at(s);
    expect(st.stack.map((f) => f.name)).toEqual([
      "(main script)",
      "console.log",
    ]);
    expect(st.loc?.line).toBe(9);
    expect(st.stack.map((f) => f.loc?.line)).toEqual([9, 9]);
    // and while it prints
    const printed = fold.at(
      stepAfter(run, (e) => e.kind === "console" && e.text === "script end"),
    );
    expect(printed.loc?.line).toBe(9);
    expect(printed.stack[0].loc?.line).toBe(9);
  });

  it("moves a frame with the located events inside it, and the current location with the top learner frame", () => {
    const src = `function inner() {\n  return 1;\n}\nfunction outer() {\n  inner();\n  console.log('done');\n}\nouter();\n`;
    const run = runProgramSync(src);
    const fold = eventLoopFold(run);
    const inInner = fold.at(
      stepAfter(run, (e) => e.kind === "push" && e.name === "inner"),
    );
    expect(inInner.stack.map((f) => f.name)).toEqual([
      "(main script)",
      "outer",
      "inner",
    ]);
    expect(inInner.loc).toEqual(inInner.stack[2].loc);
    const inLog = fold.at(
      stepAfter(run, (e) => e.kind === "push" && e.name === "console.log"),
    );
    expect(inLog.stack.map((f) => f.name)).toEqual([
      "(main script)",
      "outer",
      "console.log",
    ]);
    expect(inLog.stack.slice(1).map((f) => f.loc?.line)).toEqual([6, 6]);
    expect(inLog.loc?.line).toBe(6);
  });

  it("has no current location when the stack is empty, and one frame location per frame everywhere", () => {
    for (const ex of EXAMPLES) {
      const run = runProgramSync(ex.source);
      const fold = eventLoopFold(run);
      for (let s = 0; s <= run.trace.length; s++) {
        const st = fold.at(s);
        if (st.stack.length === 0)
          expect(st.loc, `${ex.id} step ${s}`).toBeUndefined();
        else {
          const top = st.stack[st.stack.length - 1];
          const want =
            top.native && st.stack.length > 1
              ? st.stack[st.stack.length - 2].loc
              : top.loc;
          expect(st.loc, `${ex.id} step ${s}`).toEqual(want);
        }
      }
    }
  });
});

describe("report locations (engine)", () => {
  it("locates an uncaught throw in a timer callback at the throw", () => {
    const run = runProgramSync(
      `setTimeout(() => {\n  console.log('a');\n  throw new Error('boom');\n}, 0);\n`,
    );
    const ev = run.trace.find((e) => e.kind === "uncaught");
    expect(ev?.loc?.line).toBe(3);
    const fold = eventLoopFold(run);
    const end = fold.at(fold.length);
    expect(end.console.map((c) => [c.text, c.line, c.uncaught])).toEqual([
      ["a", 2, false],
      ["Uncaught Error: boom", 3, true],
    ]);
  });

  it("locates an unhandled rejection where the promise was rejected", () => {
    const run = runProgramSync(
      `const a = 1;\nfunction f() {\n  return 2;\n}\nPromise.reject(new Error('x'));\nf();\n`,
    );
    const ev = run.trace.find((e) => e.kind === "unhandled-rejection");
    expect(ev?.loc?.line).toBe(5);
    const fold = eventLoopFold(run);
    expect(fold.at(fold.length).console).toEqual([
      {
        text: "Uncaught (in promise) Error: x",
        level: "error",
        line: 5,
        uncaught: true,
      },
    ]);
  });

  it("locates a rejection inside a later microtask at its own line", () => {
    const run = runProgramSync(
      `Promise.resolve()\n  .then(() => {\n    throw new Error('late');\n  });\n`,
    );
    const ev = run.trace.find((e) => e.kind === "unhandled-rejection");
    expect(ev?.loc?.line).toBe(3);
  });
});
