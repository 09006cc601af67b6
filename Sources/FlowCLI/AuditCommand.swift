import ArgumentParser
import Foundation
import FlowCore
import FlowEngine

/// `flow audit [RUN] [--json]`: the remediation decisions recorded by `remediate` steps, of one
/// run (in the order they were made) or of all runs (newest first, `--limit` rows).
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the remediation decisions of a run, or of all runs (newest first).",
        discussion: """
            One line per decision: time, run, step, rule, confidence / min-confidence, dry run, outcome, action and detail. \
            With --json: one JSON object per line with every recorded column.
            """)

    @Argument(help: "The run id (`last` for the newest run); all runs when omitted.") var runID: String?
    @Option(help: "With no run: at most this many decisions.") var limit = 50
    @Flag(help: "Print one JSON object per decision.") var json = false
    @OptionGroup var state: StateOptions

    func run() throws {
        let database = try state.databaseForReading()
        var rows: [AuditRecord]
        if let runID {
            let run = try state.run(runID == "last" ? nil : runID, in: database)
            rows = try database.audits(of: run.id)
        } else {
            guard limit > 0 else { throw CLIError("--limit must be 1 or more") }
            rows = try database.audits(limit: limit)
        }
        if json {
            for row in rows { print(Self.json(row)) }
            return
        }
        if rows.isEmpty {
            print(runID.map { "run \($0) has no remediation decisions" } ?? "no remediation decisions recorded")
            return
        }
        let table = [["TIME", "RUN", "STEP", "RULE", "CONFIDENCE", "DRY-RUN", "OUTCOME", "ACTION", "DETAIL"]] + rows.map(Self.columns)
        let widths = (0..<8).map { c in table.map { $0[c].count }.max() ?? 0 }
        for line in table {
            let padded = (0..<8).map { line[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
            print((padded + [line[8]]).joined(separator: "  "))
        }
    }

    static func columns(_ row: AuditRecord) -> [String] {
        [ISO8601.string(row.at), row.runId, row.stepId, row.rule ?? "-",
         row.confidence.map { "\(number($0))/\(number(row.minConfidence))" } ?? "-/\(number(row.minConfidence))",
         row.dryRun ? "yes" : "no", row.outcome, actionKind(row.action) ?? "-",
         row.detail.replacingOccurrences(of: "\n", with: " ")]
    }

    /// `rerun` of `{"rerun":{…}}`.
    static func actionKind(_ action: String?) -> String? {
        guard let action, case .object(let o)? = try? ExpressionValue(json: action) else { return nil }
        return o.keys.sorted().first
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    static func json(_ row: AuditRecord) -> String {
        func quoted(_ s: String?) -> String { s.map(JSONText.quote) ?? "null" }
        return "{\"id\":\(row.id.map(String.init) ?? "null"),\"run\":\(JSONText.quote(row.runId)),\"step\":\(JSONText.quote(row.stepId)),"
            + "\"rule\":\(quoted(row.rule)),\"evidence\":\(row.evidence ?? "null"),\"action\":\(row.action ?? "null"),"
            + "\"confidence\":\(row.confidence.map { String($0) } ?? "null"),\"minConfidence\":\(row.minConfidence),"
            + "\"dryRun\":\(row.dryRun),\"outcome\":\(JSONText.quote(row.outcome)),\"detail\":\(JSONText.quote(row.detail)),"
            + "\"at\":\(JSONText.quote(ISO8601.string(row.at)))}"
    }
}
