/// `flow graph`: the plan's steps and edges as Mermaid or Graphviz DOT text.
extension RunPlan {
    public enum GraphFormat: String, Sendable, CaseIterable {
        case mermaid, dot
    }

    public func graphText(_ format: GraphFormat) -> String {
        switch format {
        case .mermaid: return mermaid()
        case .dot: return dot()
        }
    }

    /// Edges point from a step to the steps that need it, so the picture reads top to bottom.
    func mermaid() -> String {
        var index: [String: Int] = [:]
        var out = "flowchart TD\n"
        for (i, step) in steps.enumerated() {
            index[step.id] = i
            var label = mermaidEscape(step.id)
            if let name = step.name { label += "<br/>" + mermaidEscape(name) }
            if step.uses != "shell" { label += "<br/><i>\(mermaidEscape(step.uses))</i>" }
            out += "  s\(i)[\"\(label)\"]\n"
        }
        for (i, step) in steps.enumerated() {
            for need in step.needs { if let n = index[need] { out += "  s\(n) --> s\(i)\n" } }
        }
        return out
    }

    func dot() -> String {
        var out = "digraph \(JSONText.quote(pipelineName)) {\n  rankdir=TB;\n  node [shape=box];\n"
        for step in steps {
            var label = step.id
            if let name = step.name { label += "\n" + name }
            if step.uses != "shell" { label += "\n(\(step.uses))" }
            out += "  \(JSONText.quote(step.id)) [label=\(JSONText.quote(label))];\n"
        }
        for step in steps {
            for need in step.needs { out += "  \(JSONText.quote(need)) -> \(JSONText.quote(step.id));\n" }
        }
        return out + "}\n"
    }

    private func mermaidEscape(_ s: String) -> String {
        s.replacingOccurrences(of: "\"", with: "#quot;").replacingOccurrences(of: "<", with: "#lt;").replacingOccurrences(of: ">", with: "#gt;")
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
