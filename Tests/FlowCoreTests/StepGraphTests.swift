import Testing
import FlowCore

@Suite struct StepGraphTests {
    @Test func topologicalOrderPutsNeedsFirstAndKeepsWrittenOrderForTies() throws {
        let g = StepGraph(ids: ["d", "a", "b", "c"], needs: [["b", "c"], [], ["a"], ["a"]])
        let order = try #require(g.topologicalOrder()).map { g.ids[$0] }
        #expect(order == ["a", "b", "c", "d"])
    }

    @Test func cycleIsNilOrderAndReportedAsThePathAlongNeeds() {
        let g = StepGraph(ids: ["a", "b", "c", "x"], needs: [["c"], ["a"], ["b"], []])
        #expect(g.topologicalOrder() == nil)
        #expect(g.cycles().map { $0.map { g.ids[$0] } } == [["a", "c", "b", "a"]])
    }

    @Test func shortestCycleThroughTheFirstStepIsChosen() {
        // a→b→a is shorter than a→c→d→a.
        let g = StepGraph(ids: ["a", "b", "c", "d"], needs: [["c", "b"], ["a"], ["d"], ["a"]])
        #expect(g.cycles().map { $0.map { g.ids[$0] } } == [["a", "b", "a"]])
    }

    @Test func selfLoopAndSeparateCyclesAreEachReported() {
        let g = StepGraph(ids: ["a", "b", "c", "d"], needs: [["a"], ["c"], ["b"], []])
        #expect(g.cycles().map { $0.map { g.ids[$0] } } == [["a", "a"], ["b", "c", "b"]])
    }

    @Test func longChainDoesNotOverflowTheStack() {
        let n = 50_000
        let ids = (0..<n).map { "s\($0)" }
        let needs = (0..<n).map { $0 == 0 ? [] : ["s\($0 - 1)"] }
        let g = StepGraph(ids: ids, needs: needs)
        #expect(g.topologicalOrder()?.count == n)
        #expect(g.cycles().isEmpty)
        #expect(g.upstream(of: n - 1).count == n - 1)
    }

    @Test func upstreamAndDownstreamAreTransitive() {
        let g = StepGraph(ids: ["a", "b", "c", "d"], needs: [[], ["a"], ["b"], []])
        #expect(g.upstream(of: 2) == [0, 1])
        #expect(g.downstream(of: 0) == [1, 2])
        #expect(g.upstream(of: 3).isEmpty)
    }

    @Test func readySetReleasesAStepWhenAllItsNeedsFinish() {
        let g = StepGraph(ids: ["a", "b", "c"], needs: [[], [], ["a", "b"]])
        var ready = StepGraph.ReadySet(g)
        #expect(Array(ready.ready) == [0, 1])
        #expect(ready.next() == 0)
        #expect(ready.finish(0).isEmpty)
        #expect(ready.next() == 1)
        #expect(ready.finish(1) == [2])
        #expect(ready.next() == 2)
        #expect(ready.next() == nil)
    }
}
