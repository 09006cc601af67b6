import FlowCore

/// Which steps differ between two plans of the same pipeline: added, removed, or changed in
/// anything that decides what the step does or how it is shown (planned steps compare as
/// values: ``PlannedStep`` is `Equatable`).
public enum PlanDifference {
    public static func changedSteps(_ a: RunPlan, _ b: RunPlan) -> [String] {
        let left = Dictionary(a.steps.map { ($0.id, $0) }) { first, _ in first }
        let right = Dictionary(b.steps.map { ($0.id, $0) }) { first, _ in first }
        return Set(left.keys).union(right.keys).filter { left[$0] != right[$0] }.sorted()
    }
}
