/// What flow says about a runbook, in one place: each message says what is wrong and what would
/// fix it. (Messages shared with pipelines — unknown keys, wrong types — come from `Messages`.)
enum RunbookMessages {
    static func cannotRead(_ reason: String) -> String { "cannot read the runbook: \(reason); give `runbook` a readable YAML file" }
    static let emptyFile = "the runbook is empty; it needs `rules:`, a list of rules with `id`, `when`, `action` and `confidence`"
    static func duplicateRule(_ id: String) -> String { "rule id `\(id)` is used twice; give each rule its own id" }
    static func confidenceRange(_ value: Double) -> String {
        "`confidence` is \(value), outside 0…1; write how sure the rule is as a number from 0 to 1, such as `0.8`"
    }
    static let emptyWhen = "`when` matches nothing; give it at least one of `step`, `status`, `error-class`, `exit-code`, `log`, `alarm`"
    static let badExitCode = "`when.exit-code` must be an exit code from 0 to 255, or a list of them"
    static func badPattern(_ pattern: String) -> String {
        "`when.log` `\(pattern)` is not a valid regular expression; fix the pattern (escape `(`, `[`, `.` with `\\` to match them literally)"
    }
    static func alarmAndStep(_ keys: [String]) -> String {
        "a rule matches an alarm or a step, not both: remove " + keys.map { "`\($0)`" }.joined(separator: ", ") + " or `alarm`, or write two rules"
    }
    static let noAction = "`action` is empty; give it exactly one action"
    static func unknownAction(_ name: String) -> String { "unknown action `\(name)`" }
    static func twoActions(_ names: [String]) -> String {
        "a rule has one action, but this one has " + names.map { "`\($0)`" }.joined(separator: " and ") + "; write one rule per action"
    }
    static func actionMissing(_ action: String, _ key: String) -> String { "`\(action)` is missing the required key `\(key)`" }
    static let badMax = "`rerun.max` must be a whole number of reruns, 0 or more (default 1)"
    static let emptyCommand = "`run` is empty; give the command to run"
    static let bodyTooDeep = "`webhook.body` is nested more than 16 levels deep; flatten it"
}
