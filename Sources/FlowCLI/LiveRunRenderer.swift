import CFlowSystem
import Dispatch
import Foundation
import FlowEngine

/// On a terminal: what has happened scrolls by as the plain lines (`✓ build 3.2s`, failures
/// with their last log lines); below it, redrawn in place ten times a second, one line per
/// running step — mark, id, time so far, attempt, its last log line — and a status line.
///
/// Only running steps get a live line (as in Bazel and BuildKit): a pipeline of a thousand
/// steps still fits the screen, and waiting steps have nothing to show. Colours follow
/// `NO_COLOR`; `TERM=dumb` or no terminal gets ``PlainRunRenderer`` instead.
final class LiveRunRenderer: RunRenderer, @unchecked Sendable {
    private struct Active {
        var id: String
        var started: Date
        var attempt: Int
        var logPath: String
        var name: String?
    }

    private let lock = NSLock()
    private let plain: PlainRunRenderer
    private let descriptor: Int32
    private let now: @Sendable () -> Date
    private var active: [Active] = []
    private var total = 0
    private var finished = 0
    private var failed = 0
    private var runStarted: Date?
    /// Lines of the live area on screen now, to erase before the next output.
    private var drawnLines = 0
    private var timer: (any DispatchSourceTimer)?

    static let spinner = Array("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")

    init(color: Bool, descriptor: Int32 = 1, now: @escaping @Sendable () -> Date = { Date() }) {
        plain = PlainRunRenderer(color: color)
        self.descriptor = descriptor
        self.now = now
    }

    func render(_ event: RunEvent) {
        lock.lock()
        defer { lock.unlock() }
        var out = erase()
        switch event {
        case .runStarted(_, _, let steps, _):
            total = steps.count
            (finished, failed) = (0, 0) // a rerun pass counts afresh
            runStarted = now()
            out += plain.text(for: event)
            startTicking()
        case .stepStarted(let id, let attempt, let logPath, let name):
            if let i = active.firstIndex(where: { $0.id == id }) {
                active[i].attempt = attempt
                active[i].logPath = logPath
            } else {
                active.append(Active(id: id, started: now(), attempt: attempt, logPath: logPath, name: name))
            }
        case .stepFinished(let summary):
            active.removeAll { $0.id == summary.stepID }
            finished += 1
            if summary.status == .failed { failed += 1 }
            out += plain.text(for: event)
        case .runFinished:
            timer?.cancel()
            timer = nil
            active = []
            out += plain.text(for: event)
            write(out)
            return
        case .stepRetrying, .runError:
            out += plain.text(for: event)
        case .runRerun, .rerunRefused:
            // Between passes, with nothing drawn: said on standard error (RunCommand.noteRerun).
            write(out)
            return
        }
        write(out + draw())
    }

    private func startTicking() {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + .milliseconds(100), repeating: .milliseconds(100))
        timer.setEventHandler { [weak self] in self?.tick() }
        timer.resume()
        self.timer = timer
    }

    private func tick() {
        lock.lock()
        defer { lock.unlock() }
        guard timer != nil else { return }
        write(erase() + draw())
    }

    /// Moves to the first line of the live area and clears to the end of the screen.
    private func erase() -> String {
        defer { drawnLines = 0 }
        return drawnLines > 0 ? "\u{1B}[\(drawnLines)F\u{1B}[J" : ""
    }

    /// The live area: a line per running step (as many as fit), then the status line.
    private func draw() -> String {
        var columns: Int32 = 80
        var rows: Int32 = 24
        if flow_terminal_size(descriptor, &columns, &rows) != 0 { (columns, rows) = (80, 24) }
        let width = max(Int(columns) - 1, 20)
        let moment = now()
        let frame = Self.spinner[Int(moment.timeIntervalSince1970 * 10) % Self.spinner.count]
        var lines: [String] = []
        let room = max(Int(rows) - 2, 1)
        for step in active.prefix(active.count > room ? room - 1 : room) {
            var head = "\(frame) \(StepNames.label(step.id, step.name))  \(Self.seconds(moment.timeIntervalSince(step.started)))"
            if step.attempt > 1 { head += "  attempt \(step.attempt)" }
            let last = LogTail.lastLines(of: step.logPath, count: 1).first.map(Self.printable) ?? ""
            let line = Self.clip(last.isEmpty ? head : head + "  " + last, width)
            lines.append(plain.paint(String(line.prefix(1)), "36") + line.dropFirst())
        }
        if active.count > room { lines.append("  … and \(active.count - room + 1) more running") }
        var status = "\(active.count) running · \(finished) of \(total) done"
        if failed > 0 { status += " · " + plain.paint("\(failed) failed", "31") }
        if let runStarted { status += " · " + Self.seconds(moment.timeIntervalSince(runStarted)) }
        lines.append(status)
        drawnLines = lines.count
        return lines.map { $0 + "\n" }.joined()
    }

    private func write(_ text: String) {
        guard !text.isEmpty else { return }
        Terminal(descriptor: descriptor).write(text)
    }

    static func seconds(_ interval: TimeInterval) -> String { String(format: "%.1fs", max(interval, 0)) }

    /// A log line made safe to draw: control characters (escape sequences, tabs, `\r`) become spaces.
    static func printable(_ line: String) -> String {
        String(String.UnicodeScalarView(line.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    /// At most `width` characters, with `…` when cut.
    static func clip(_ line: String, _ width: Int) -> String {
        line.count <= width ? line : String(line.prefix(width - 1)) + "…"
    }
}
