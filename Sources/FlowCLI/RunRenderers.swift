import Foundation
import FlowCore
import FlowEngine

/// Turns run events into output.
protocol RunRenderer: Sendable {
    func render(_ event: RunEvent)
}

/// One plain line per event (CI logs, CodeBuild, pipes); on failure the failing step's last
/// log lines and log path.
struct PlainRunRenderer: RunRenderer {
    var color: Bool

    func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    func render(_ event: RunEvent) {
        print(text(for: event), terminator: "")
        fflush(nil)
    }

    /// The lines for `event`, each ending in a newline.
    func text(for event: RunEvent) -> String {
        var lines: [String] = []
        switch event {
        case .runStarted(let id, let pipeline, let steps, _):
            lines.append("run \(id): \(pipeline), \(steps.count) step\(steps.count == 1 ? "" : "s")")
        case .stepStarted(let step, let attempt, _, let name):
            lines.append("\(paint("▸", "36")) \(StepNames.label(step, name))" + (attempt > 1 ? " (attempt \(attempt))" : ""))
        case .stepRetrying(let step, let attempt, let delay, let error):
            lines.append("\(paint("↻", "33")) \(step) attempt \(attempt) failed: \(error); retrying in \(delay)")
        case .stepFinished(let s):
            let time = String(format: "%.1fs", s.seconds)
            let step = StepNames.label(s.stepID, s.name)
            switch s.status {
            case .succeeded:
                if let run = s.cachedFrom {
                    lines.append("\(paint("✓", "32")) \(step) \(CachedWords.text(run))")
                } else {
                    lines.append("\(paint("✓", "32")) \(step) \(time)")
                }
            case .skipped: lines.append("\(paint("-", "2")) \(step) skipped: \(s.reason ?? "")")
            case .cancelled: lines.append("\(paint("■", "33")) \(step) cancelled" + (s.reason.map { ": \($0)" } ?? ""))
            default:
                lines.append("\(paint("✗", "31")) \(step) failed after \(time)" + (s.reason.map { ": \($0)" } ?? ""))
                if let path = s.logPath {
                    for line in LogTail.lastLines(of: path, count: 10) { lines.append("    \(line)") }
                    lines.append("    log: \(path)")
                }
            }
        case .runFinished(let id, let status, let seconds, let outputs):
            let word = status == .succeeded ? paint("succeeded", "32") : status == .cancelled ? paint("cancelled", "33") : paint(status.rawValue, "31")
            lines.append("run \(id) \(word) in \(String(format: "%.1fs", seconds))")
            for output in outputs { lines.append("  \(output.name): \(output.value)") }
        case .runError(let message):
            lines.append("\(paint("✗", "31")) flow: \(message)")
        case .runRerun, .rerunRefused:
            break // said on standard error (RunCommand.noteRerun); the next pass starts with its own line
        }
        return lines.map { $0 + "\n" }.joined()
    }
}

/// `--json`: one JSON object per line, each with the ISO-8601 time it was emitted (`time`,
/// UTC with milliseconds): events are emitted right after their state is committed.
struct JSONRunRenderer: RunRenderer {
    var now: @Sendable () -> Date = { Date() }

    func render(_ event: RunEvent) {
        var fields: [(String, String)]
        switch event {
        case .runStarted(let id, let pipeline, let steps, let names):
            fields = [("run", q(id)), ("pipeline", q(pipeline)),
                      ("steps", "[" + steps.map(q).joined(separator: ",") + "]")]
            if !names.isEmpty {
                fields.append(("names", "{" + names.sorted { $0.key < $1.key }.map { "\(q($0.key)):\(q($0.value))" }.joined(separator: ",") + "}"))
            }
        case .stepStarted(let step, let attempt, let log, let name):
            fields = [("step", q(step)), ("attempt", "\(attempt)"), ("log", q(log))]
            if let name { fields.append(("name", q(name))) }
        case .stepRetrying(let step, let attempt, let delay, let error):
            fields = [("step", q(step)), ("attempt", "\(attempt)"),
                      ("delayMs", "\(delay.milliseconds)"), ("error", q(error))]
        case .stepFinished(let s):
            fields = [("step", q(s.stepID)), ("status", q(s.status.rawValue)),
                      ("attempts", "\(s.attempts)"), ("seconds", String(format: "%.3f", s.seconds))]
            if let code = s.exitCode { fields.append(("exitCode", "\(code)")) }
            if let reason = s.reason { fields.append(("reason", q(reason))) }
            if let log = s.logPath { fields.append(("log", q(log))) }
            if let name = s.name { fields.append(("name", q(name))) }
            if let run = s.cachedFrom { fields.append(("cachedFrom", q(run))) }
        case .runFinished(let id, let status, let seconds, let outputs):
            fields = [("run", q(id)), ("status", q(status.rawValue)), ("seconds", String(format: "%.3f", seconds)),
                      ("outputs", "{" + outputs.map { "\(q($0.name)):\(q($0.value))" }.joined(separator: ",") + "}")]
        case .runError(let message):
            fields = [("error", q(message))]
        case .runRerun(let id, let pass):
            fields = [("run", q(id)), ("pass", "\(pass.number + 1)"), ("rerun", "\(pass.number)"),
                      ("requestedBy", list(pass.requestedBy)), ("steps", list(pass.steps)), ("rerunning", list(pass.rerunning)),
                      ("params", "[" + pass.changes.map { "{\"name\":\(q($0.name)),\"from\":\($0.from.map(q) ?? "null"),\"to\":\(q($0.to))}" }
                                    .joined(separator: ",") + "]"),
                      ("reason", q(pass.reason))]
        case .rerunRefused(let id, let message):
            fields = [("run", q(id)), ("message", q(message))]
        }
        // Every line's `event` is its kind in the vocabulary the database records (``RunEventKind``).
        fields.insert(("event", q(event.kind.rawValue)), at: 0)
        fields.insert(("time", q(ISO8601.string(now()))), at: 1)
        print("{" + fields.map { "\(q($0.0)):\($0.1)" }.joined(separator: ",") + "}")
        fflush(nil)
    }

    private func q(_ s: String) -> String { JSONText.quote(s) }
    private func list(_ items: [String]) -> String { "[" + items.map(q).joined(separator: ",") + "]" }
}

/// How a memoized step that reused an earlier success is described, wherever it is shown.
enum CachedWords {
    static func text(_ run: String) -> String { "(cached from \(run))" }
}

/// How a step is shown: `id · name` when it has a display name.
enum StepNames {
    static func label(_ id: String, _ name: String?) -> String { name.map { "\(id) · \($0)" } ?? id }
}

/// The last lines of a log file, read from its end (a log can be gigabytes).
enum LogTail {
    static func lastLines(of path: String, count: Int, window: Int = 16 * 1024) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let start = size > UInt64(window) ? size - UInt64(window) : 0
        try? handle.seek(toOffset: start)
        let data = (try? handle.readToEnd()) ?? Data()
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if start > 0 { lines.removeFirst() }
        if lines.last == "" { lines.removeLast() }
        return Array(lines.suffix(count))
    }
}

/// A run's steps as JUnit XML (``JUnitXML``), the format CI systems (and CodeBuild reports)
/// read: one test case per step.
enum JUnitReport {
    static func xml(pipeline: String, runID: String, steps: [StepSummary]) -> String {
        let cases = steps.map { s -> JUnitXML.Case in
            let outcome: JUnitXML.Outcome
            switch s.status {
            case .failed:
                outcome = .failed(.init(message: s.reason ?? "failed", text: s.logPath.map { "log: \($0)" } ?? ""))
            case .skipped, .cancelled:
                outcome = .skipped(message: s.status.rawValue + (s.reason.map { ": \($0)" } ?? ""))
            default:
                outcome = .passed
            }
            // A named step's case reads as its name, with the id people type after it.
            let name = s.name.map { "\($0) (\(s.stepID))" } ?? s.stepID
            return JUnitXML.Case(name: name, classname: pipeline, time: s.seconds, outcome: outcome, systemOut: systemOut(s))
        }
        return JUnitXML(name: pipeline, suites: [.init(name: pipeline, id: runID, cases: cases)]).text
    }

    /// Lines of a step's log a test case carries in `<system-out>`, which CI readers show.
    static let tailLines = 50

    /// The tail of the step's last log (already masked: logs are written masked) and its path.
    static func systemOut(_ s: StepSummary) -> String? {
        if let run = s.cachedFrom { return "succeeded \(CachedWords.text(run)): not run, its outputs reused\n" }
        guard let path = s.logPath else { return nil }
        let tail = LogTail.lastLines(of: path, count: tailLines)
        return (tail.isEmpty ? "" : tail.joined(separator: "\n") + "\n") + "log: \(path)\n"
    }
}
