import Foundation
import Testing
import FlowEngine
import FlowTestSupport

/// The crash test's pipeline: a DAG of independent steps, layers whose steps need 1–3 steps
/// of the layers above, and chains hanging off the layers, generated from a seed.
///
/// Every step appends one line to `ledger` (in the working directory) when it starts:
/// `<step> <token> <received>`, where `<token>` is fresh for every execution and becomes the
/// step's output `v`, and `<received>` is the `v` of each step it needs, comma-separated (`-`
/// for none). It then sleeps 0–90 ms, so kills land mid-step, and only then writes its output.
/// The ledger is therefore a record of every execution and of the exact bytes each one
/// received from upstream.
struct CrashPipeline {
    /// `max-parallel` of the pipeline: no more steps than this may be running at a kill.
    static let maxParallel = 4
    /// Step ids in file order.
    var ids: [String] = []
    var needs: [String: [String]] = [:]

    init<G: RandomNumberGenerator>(independent: Int = 20, layers: [Int] = [24, 22, 22, 22, 22, 22, 22], chains: Int = 4,
                                   chainLength: Int = 6, using generator: inout G) {
        func add(_ needs: [String]) -> String {
            let id = String(format: "s%03d", ids.count)
            ids.append(id)
            self.needs[id] = needs.sorted()
            return id
        }
        for _ in 0..<independent { _ = add([]) }
        var layered: [[String]] = []
        for (depth, width) in layers.enumerated() {
            // Needs come from the two layers above, so some edges skip a layer.
            let pool = layered.suffix(2).flatMap { $0 }
            layered.append((0..<width).map { _ in
                depth == 0 ? add([]) : add(Array(pool.shuffled(using: &generator).prefix(Int.random(in: 1...3, using: &generator))))
            })
        }
        let allLayered = layered.flatMap { $0 }
        for _ in 0..<chains {
            var previous = allLayered.randomElement(using: &generator)!
            for _ in 0..<chainLength { previous = add([previous]) }
        }
    }

    var count: Int { ids.count }

    func yaml() -> String {
        var text = "name: crash\nmax-parallel: \(Self.maxParallel)\nsteps:\n"
        for id in ids {
            let upstream = needs[id]!
            let received = upstream.isEmpty ? "-" : upstream.map { "${{ steps.\($0).outputs.v }}" }.joined(separator: ",")
            text += "  \(id):\n"
            if !upstream.isEmpty { text += "    needs: [\(upstream.joined(separator: ", "))]\n" }
            text += """
                    outputs: [v]
                    run: |
                      v="$FLOW_STEP.$$.$RANDOM$RANDOM"
                      echo "$FLOW_STEP $v \(received)" >> ledger
                      sleep 0.0$((RANDOM % 10))
                      echo "v=$v" >> "$FLOW_OUTPUT"

                """
        }
        return text
    }
}

/// One line of the crash test's ledger: one execution of a step.
struct LedgerLine: Hashable, CustomStringConvertible {
    var step: String
    var token: String
    /// The `v` of each needed step, in `needs` order (empty for a step with no needs).
    var received: [String]

    init?(_ line: Substring) {
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 3, !fields[0].isEmpty, !fields[1].isEmpty else { return nil }
        step = String(fields[0])
        token = String(fields[1])
        received = fields[2] == "-" ? [] : fields[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }

    var description: String { "\(step) \(token) \(received.isEmpty ? "-" : received.joined(separator: ","))" }
}

/// Processes found through `/proc/<pid>/environ`, independently of the code under test.
enum EnvironmentMarker {
    /// Live processes (zombies have an empty environ, so never match) whose environment holds
    /// exactly the entry `NAME=value`. Processes we cannot read (another user's) are skipped.
    static func carriers(of entry: String) -> [pid_t] {
        let wanted = Data(entry.utf8)
        let me = getpid()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return names.compactMap { pid_t($0) }.filter { pid in
            guard pid != me, let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return environ.split(separator: 0).contains { Data($0) == wanted }
        }
    }

    /// SIGKILLs every carrier of `entry`, scanning again until a scan finds none (a process
    /// forked by one being killed shows up in the next scan) or `limit` passes. Returns how
    /// many distinct processes it killed and whether any carrier was left.
    @discardableResult
    static func killAll(carrying entry: String, limit: TimeInterval = 5) -> (killed: Int, survivors: [pid_t]) {
        var killed = Set<pid_t>()
        let deadline = Date().addingTimeInterval(limit)
        while true {
            let found = carriers(of: entry)
            if found.isEmpty { return (killed.count, []) }
            if Date() > deadline { return (killed.count, found) }
            for pid in found where kill(pid, SIGKILL) == 0 { killed.insert(pid) }
            usleep(2_000)
        }
    }
}

/// A `flow` process started in the background with its output going to a file.
struct BackgroundFlow {
    let process: ChildProcess
    let log: URL

    init(_ arguments: [String], in directory: URL, environment: [String: String], log: URL) throws {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        process = try ChildProcess(Repository.flowBinary, arguments, environment: environment, currentDirectory: directory,
                                   standardOutput: .handle(handle), standardError: .handle(handle))
        self.log = log
    }

    /// Everything it printed so far (standard output and standard error interleaved).
    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Waits for it to end and returns its exit status.
    func wait() async -> Int32 {
        await process.exited()
        return process.terminationStatus
    }
}

/// What the crash test checks after each kill (and at the end), from the database and the
/// ledger: successes are never lost and never run again, a step's row says `running` before it
/// executes, only steps in flight at a kill execute twice, and outputs travel byte for byte.
struct CrashAudit {
    let pipeline: CrashPipeline
    let seed: UInt64
    /// Whether the run's row exists (later cycles resume it rather than start one).
    var runExists = false
    /// One entry per kill: the cycle and the steps the database said were running.
    var kills: [(cycle: Int, running: Set<String>)] = []
    var integrityChecks = 0
    /// The steps the database said had succeeded at the last look.
    private var succeeded: Set<String> = []
    private var ledgerSeen = 0
    /// Every execution of each step (its ledger lines), with the cycle it happened in.
    private var executions: [String: [(cycle: Int, line: LedgerLine)]] = [:]
    /// For each step, the cycles at whose kill the database said it was running.
    private var runningAtKill: [String: Set<Int>] = [:]

    init(pipeline: CrashPipeline, seed: UInt64) {
        self.pipeline = pipeline
        self.seed = seed
    }

    var midStepKills: Int { kills.filter { !$0.running.isEmpty }.count }
    var repeatedExecutions: Int { executions.values.map { $0.count - 1 }.reduce(0, +) }
    var repeatedSteps: Int { executions.values.filter { $0.count > 1 }.count }

    var summary: String {
        "\(kills.count) kills (\(midStepKills) with steps running, \(kills.map(\.running.count).reduce(0, +)) steps in flight in all), "
            + "\(repeatedExecutions) repeated executions of \(repeatedSteps) steps, \(integrityChecks) integrity checks ok"
    }

    /// Checks the state after cycle `cycle` (ended by a kill, or by flow itself) against what
    /// was seen before, then remembers it.
    mutating func observe(cycle: Int, killed: Bool, snapshot: StateSnapshot, ledger: [Substring]) throws {
        let context = "seed \(seed), cycle \(cycle)"
        #expect(snapshot.integrity == ["ok"], "\(context): integrity_check said \(snapshot.integrity)")
        if snapshot.integrity == ["ok"] { integrityChecks += 1 }
        #expect(snapshot.runs.count <= 1, "\(context): \(snapshot.runs.count) runs; the test starts one")
        runExists = runExists || !snapshot.runs.isEmpty
        let rows = snapshot.newestRunSteps
        #expect(rows.isEmpty == snapshot.runs.isEmpty && (rows.isEmpty || rows.count == pipeline.count),
                "\(context): \(rows.count) step rows")
        let now = Set(rows.values.filter { $0.status == .succeeded }.map(\.stepId))
        let running = Set(rows.values.filter { $0.status == .running }.map(\.stepId))
        let lost = succeeded.subtracting(now).sorted()
        #expect(lost.isEmpty, "\(context): steps that had succeeded are no longer succeeded: \(lost)")
        let odd = rows.values.filter { ![.pending, .running, .succeeded].contains($0.status) }.map { "\($0.stepId): \($0.status)" }.sorted()
        #expect(odd.isEmpty, "\(context): steps neither pending, running nor succeeded: \(odd)")
        if killed {
            let inFlight = running.count
            #expect(inFlight <= CrashPipeline.maxParallel, "\(context): \(inFlight) steps running: \(running.sorted())")
        }

        var seenThisCycle: Set<String> = []
        for text in ledger[min(ledgerSeen, ledger.count)...] {
            let line = try #require(LedgerLine(text), "\(context): unreadable ledger line `\(text)`")
            // (Each condition is a plain Bool, so a failure prints the message, not the sets.)
            let known = pipeline.needs[line.step] != nil
            #expect(known, "\(context): ledger names an unknown step: \(line)")
            let ranAgain = succeeded.contains(line.step)
            #expect(!ranAgain, "\(context): \(line.step) had succeeded before this cycle and ran again: \(line)")
            let first = seenThisCycle.insert(line.step).inserted
            #expect(first, "\(context): \(line.step) ran twice in one cycle")
            let status = rows[line.step]?.status
            let committed = status == .running || status == .succeeded
            #expect(committed, "\(context): \(line.step) executed but its row says \(status.map(\.rawValue) ?? "nothing") (not committed before acting)")
            executions[line.step, default: []].append((cycle, line))
        }
        ledgerSeen = ledger.count
        if killed {
            kills.append((cycle, running))
            for step in running { runningAtKill[step, default: []].insert(cycle) }
        }
        succeeded = now
    }

    /// At the end: every step succeeded, and its executions and outputs add up.
    func checkFinal(_ snapshot: StateSnapshot) {
        let rows = snapshot.newestRunSteps
        #expect(snapshot.runs.first?.status == .succeeded, "seed \(seed): the run is \(snapshot.runs.first?.status.rawValue ?? "missing")")
        for id in pipeline.ids {
            let context = "seed \(seed), step \(id)"
            guard let row = rows[id], row.status == .succeeded else {
                Issue.record("\(context): not succeeded (\(rows[id].map { "\($0.status)" } ?? "no row"))")
                continue
            }
            let runs = executions[id] ?? []
            guard let last = runs.last else {
                Issue.record("\(context): succeeded without ever executing")
                continue
            }
            // Every execution but the last was in flight at a kill.
            for earlier in runs.dropLast() where runningAtKill[id]?.contains(earlier.cycle) != true {
                Issue.record("\(context): executed in cycle \(earlier.cycle) and again later, but was not running at that cycle's kill")
            }
            // The recorded output is the one the last execution produced ...
            let output = row.outputValues["v"]
            #expect(output == last.line.token, "\(context): output \(output ?? "none"), last execution produced \(last.line.token)")
            // ... and that execution received, byte for byte, the recorded outputs of its needs.
            let expected = (pipeline.needs[id] ?? []).map { rows[$0]?.outputValues["v"] ?? "<none>" }
            #expect(last.line.received == expected, "\(context): received \(last.line.received), upstream outputs are \(expected)")
        }
    }
}
