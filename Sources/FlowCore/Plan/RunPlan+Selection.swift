/// Choosing steps of a plan by name, for `flow run --only` (a step and what it needs, as
/// `make target` does) and `flow retry --step` (a step and what depends on it). A name is a
/// step id as written, which stands for every matrix instance of that step, or one instance id
/// (`test[python=3.11]`).
extension RunPlan {
    /// What `--only` asked for, kept with the run so that resume and retry narrow the plan the same way.
    public struct Selection: Sendable, Hashable {
        /// The names given, in the order given.
        public var names: [String]
        /// How many step instances the whole plan has.
        public var totalSteps: Int

        public init(names: [String], totalSteps: Int) {
            self.names = names
            self.totalSteps = totalSteps
        }
    }

    /// The indices of the step instances `names` stand for, in plan order, or one diagnostic per
    /// unknown name (with a "did you mean" and the pipeline's step ids). `option` is how the
    /// names were given (`--only`), for the messages.
    public func indices(named names: [String], option: String) -> (indices: [Int], diagnostics: [Diagnostic]) {
        var chosen = Set<Int>()
        var diagnostics: [Diagnostic] = []
        let written = steps.map(\.baseID).uniqued()
        for name in names {
            let exact = steps.indices.filter { steps[$0].id == name }
            let matches = exact.isEmpty ? steps.indices.filter { steps[$0].baseID == name } : exact
            if matches.isEmpty {
                var notes: [Diagnostic.Note] = []
                // An instance of a matrix computed at run time is not in the plan: its step is.
                if let bracket = name.firstIndex(of: "["), let gate = steps.first(where: { $0.id == String(name[..<bracket]) && $0.runtimeMatrix != nil }) {
                    notes.append(.init(Messages.runtimeMatrixInstanceNamed(name, gate.id, option: option)))
                } else if let close = Spelling.closest(to: name, among: written) ?? Spelling.closest(to: name, among: steps.map(\.id)) {
                    notes.append(.init(Messages.didYouMean(close)))
                }
                notes.append(.init(Messages.stepsOfPipeline(written)))
                diagnostics.append(.error(RunPlanner.commandLine, Messages.unknownStepName(name, option: option, pipeline: pipelineName), notes: notes))
            }
            chosen.formUnion(matches)
        }
        return (chosen.sorted(), diagnostics)
    }

    /// `--only`: this plan narrowed to the named steps and everything they need, directly or
    /// not, in the same order; `nil` with diagnostics when a name is unknown.
    public func only(_ names: [String]) -> (plan: RunPlan?, diagnostics: [Diagnostic]) {
        let (chosen, diagnostics) = indices(named: names, option: "--only")
        guard diagnostics.isEmpty else { return (nil, diagnostics) }
        let graph = self.graph
        var keep = Set(chosen)
        for index in chosen { keep.formUnion(graph.upstream(of: index)) }
        // A sub-pipeline step kept for itself (named, or needed from outside it) keeps every step
        // inside it; one kept only because a step inside it was named runs just what that needs.
        let named = Set(chosen)
        var grown = true
        while grown {
            grown = false
            for call in keep.sorted() where steps[call].call != nil {
                let whole = named.contains(call) || keep.contains { !isInside($0, call) && graph.needs[$0].contains(call) }
                guard whole else { continue }
                for member in steps.indices where isInside(member, call) && !keep.contains(member) {
                    keep.insert(member)
                    grown = true
                }
            }
        }
        var narrowed = self
        narrowed.steps = steps.indices.filter { keep.contains($0) }.map { steps[$0] }
        narrowed.selection = Selection(names: names, totalSteps: selection?.totalSteps ?? steps.count)
        return (narrowed, [])
    }

    /// `retry --step`: the ids of the named step instances and of every step that depends on
    /// them, directly or not, in plan order; `nil` with diagnostics when a name is unknown.
    public func withDownstream(of names: [String], option: String = "--step") -> (ids: [String]?, diagnostics: [Diagnostic]) {
        let (chosen, diagnostics) = indices(named: names, option: option)
        guard diagnostics.isEmpty else { return (nil, diagnostics) }
        let graph = self.graph
        var reach = Set(chosen)
        for index in chosen { reach.formUnion(graph.downstream(of: index)) }
        // A step inside a sub-pipeline runs again inside it: the step that runs it is entered again
        // (its other steps keep what they did) and what depends on that step runs again.
        let index = Dictionary(steps.enumerated().map { ($0.element.id, $0.offset) }) { a, _ in a }
        var grown = true
        while grown {
            grown = false
            for member in reach.sorted() {
                guard let scope = steps[member].scope, let call = index[scope], !reach.contains(call) else { continue }
                reach.insert(call)
                reach.formUnion(graph.downstream(of: call).filter { !isInside($0, call) })
                grown = true
            }
        }
        return (steps.indices.filter { reach.contains($0) }.map { steps[$0].id }, [])
    }
}

extension RunPlan {
    /// Whether step `index` is inside the sub-pipeline that step `call` runs, at any depth.
    public func isInside(_ index: Int, _ call: Int) -> Bool {
        steps[index].id.hasPrefix(steps[call].id + "/")
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each only the first time it appears.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
