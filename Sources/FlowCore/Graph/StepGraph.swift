/// The dependency graph of a pipeline's steps, by index. Edges point from a step to the steps
/// it needs. Every operation is linear in steps + edges.
public struct StepGraph: Sendable {
    public let ids: [String]
    public let index: [String: Int]
    /// `needs[i]`: the steps `i` needs (its parents), in the order written, unknown names dropped.
    public let needs: [[Int]]
    /// `dependents[i]`: the steps that need `i`.
    public let dependents: [[Int]]

    public init(ids: [String], needs: [[String]]) {
        self.ids = ids
        var index: [String: Int] = [:]
        index.reserveCapacity(ids.count)
        for (i, id) in ids.enumerated() where index[id] == nil { index[id] = i }
        self.index = index
        let parents = needs.map { $0.compactMap { index[$0] } }
        var children = [[Int]](repeating: [], count: ids.count)
        for (i, ps) in parents.enumerated() { for p in ps { children[p].append(i) } }
        self.needs = parents
        self.dependents = children
    }

    public var count: Int { ids.count }

    /// Kahn's order: every step after the steps it needs, ties in the order steps were written.
    /// `nil` when there is a cycle.
    public func topologicalOrder() -> [Int]? {
        var remaining = needs.map(\.count)
        var queue = (0..<count).filter { remaining[$0] == 0 }
        queue.reserveCapacity(count)
        var head = 0
        while head < queue.count {
            let step = queue[head]
            head += 1
            for d in dependents[step] {
                remaining[d] -= 1
                if remaining[d] == 0 { queue.append(d) }
            }
        }
        return queue.count == count ? queue : nil
    }

    /// One cycle per strongly connected component that has one, each as the shortest cycle
    /// through the component's first-written step: `[a, b, c, a]` where a needs b, b needs c, c needs a.
    public func cycles() -> [[Int]] {
        let components = stronglyConnectedComponents()
        var result: [[Int]] = []
        for component in components {
            guard let start = component.min() else { continue }
            if component.count == 1 && !needs[start].contains(start) { continue }
            let members = Set(component)
            if let path = shortestCycle(through: start, within: members) { result.append(path) }
        }
        return result.sorted { $0[0] < $1[0] }
    }

    /// Breadth-first search along `needs` from `start` back to itself, staying in `members`.
    private func shortestCycle(through start: Int, within members: Set<Int>) -> [Int]? {
        var previous: [Int: Int] = [:]
        var queue = [start]
        var head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            for next in needs[node] where members.contains(next) {
                if next == start {
                    var path = [node]
                    var cursor = node
                    while cursor != start {
                        cursor = previous[cursor]!
                        path.append(cursor)
                    }
                    return Array(path.reversed()) + [start]
                }
                if previous[next] == nil {
                    previous[next] = node
                    queue.append(next)
                }
            }
        }
        return nil
    }

    /// Tarjan's algorithm, iterative so a 10,000-step chain cannot overflow the stack.
    func stronglyConnectedComponents() -> [[Int]] {
        var indexOf = [Int](repeating: -1, count: count)
        var lowlink = [Int](repeating: 0, count: count)
        var onStack = [Bool](repeating: false, count: count)
        var stack: [Int] = []
        var components: [[Int]] = []
        var nextIndex = 0
        for root in 0..<count where indexOf[root] == -1 {
            var work: [(node: Int, edge: Int)] = [(root, 0)]
            indexOf[root] = nextIndex; lowlink[root] = nextIndex; nextIndex += 1
            stack.append(root); onStack[root] = true
            while let (node, edge) = work.last {
                if edge < needs[node].count {
                    work[work.count - 1].edge += 1
                    let next = needs[node][edge]
                    if indexOf[next] == -1 {
                        indexOf[next] = nextIndex; lowlink[next] = nextIndex; nextIndex += 1
                        stack.append(next); onStack[next] = true
                        work.append((next, 0))
                    } else if onStack[next] {
                        lowlink[node] = min(lowlink[node], indexOf[next])
                    }
                    continue
                }
                work.removeLast()
                if let parent = work.last?.node { lowlink[parent] = min(lowlink[parent], lowlink[node]) }
                if lowlink[node] == indexOf[node] {
                    var component: [Int] = []
                    while let top = stack.popLast() {
                        onStack[top] = false
                        component.append(top)
                        if top == node { break }
                    }
                    components.append(component)
                }
            }
        }
        return components
    }

    /// Every step `step` transitively needs.
    public func upstream(of step: Int) -> Set<Int> {
        var seen = Set<Int>()
        var stack = needs[step]
        while let n = stack.popLast() {
            if seen.insert(n).inserted { stack.append(contentsOf: needs[n]) }
        }
        return seen
    }

    /// Every step that transitively needs `step`.
    public func downstream(of step: Int) -> Set<Int> {
        var seen = Set<Int>()
        var stack = dependents[step]
        while let n = stack.popLast() {
            if seen.insert(n).inserted { stack.append(contentsOf: dependents[n]) }
        }
        return seen
    }

    /// Tracks which steps are ready as others finish: the engine's ready set.
    public struct ReadySet: Sendable {
        private var waitingOn: [Int]
        private let graph: StepGraph
        private var queue: [Int]
        private var head = 0

        public init(_ graph: StepGraph) {
            self.graph = graph
            waitingOn = graph.needs.map(\.count)
            queue = (0..<graph.count).filter { graph.needs[$0].isEmpty }
        }

        /// Marks `step` finished; returns the steps that became ready because of it.
        public mutating func finish(_ step: Int) -> [Int] {
            var newly: [Int] = []
            for d in graph.dependents[step] {
                waitingOn[d] -= 1
                if waitingOn[d] == 0 { newly.append(d) }
            }
            queue.append(contentsOf: newly)
            return newly
        }

        /// Steps ready and not yet taken, in the order they became ready.
        public var ready: ArraySlice<Int> { queue[head...] }

        /// Takes the next ready step, if any.
        public mutating func next() -> Int? {
            guard head < queue.count else { return nil }
            head += 1
            return queue[head - 1]
        }
    }
}
