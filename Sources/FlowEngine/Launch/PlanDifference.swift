import FlowCore

/// Which steps differ between two plans of the same pipeline: added, removed, or changed in
/// type, needs, condition, script or inputs.
public enum PlanDifference {
    public static func changedSteps(_ a: RunPlan, _ b: RunPlan) -> [String] {
        let left = Dictionary(uniqueKeysWithValues: a.steps.map { ($0.id, fingerprint($0)) })
        let right = Dictionary(uniqueKeysWithValues: b.steps.map { ($0.id, fingerprint($0)) })
        return Set(left.keys).union(right.keys).filter { left[$0] != right[$0] }.sorted()
    }

    static func fingerprint(_ step: PlannedStep) -> String {
        [step.uses, step.needs.joined(separator: ","), step.condition?.source ?? "", step.script?.substitution.script ?? "", step.script?.interpreter ?? "",
         step.script?.substitution.variables.map(\.expression.source).joined(separator: "\u{1F}") ?? "",
         step.inputs.map { "\($0.name)=\($0.value)" }.joined(separator: "\u{1F}"),
         step.env.map { "\($0.name)=\($0.value)" }.joined(separator: "\u{1F}"), "\(step.retry)", "\(String(describing: step.timeout))"]
            .joined(separator: "\u{1E}")
    }
}
