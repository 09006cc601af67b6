import Testing
import FlowCore

/// "Did you mean": what the user most likely meant, not edit distance alone.
@Suite struct SpellingTests {
    @Test func aWordOfAHyphenatedOptionBeatsAShorterOptionFurtherAway() {
        // `paralel` is 3 edits from `param` but 1 from the `parallel` of `max-parallel`.
        #expect(Spelling.closest(to: "paralel", among: ["param", "profile", "max-parallel"]) == "max-parallel")
        #expect(Spelling.closest(to: "parallel", among: ["param", "max-parallel"]) == "max-parallel")
        #expect(Spelling.closest(to: "compute", among: ["project", "image", "compute-type"]) == "compute-type")
    }

    @Test func plainTyposStillFindTheirWord() {
        #expect(Spelling.closest(to: "parm", among: ["param", "max-parallel"]) == "param")
        #expect(Spelling.closest(to: "jsn", among: ["json", "junit"]) == "json")
        #expect(Spelling.closest(to: "max-paralel", among: ["param", "max-parallel"]) == "max-parallel")
        #expect(Spelling.closest(to: "neeeds", among: ["needs", "env"]) == "needs")
    }

    @Test func nothingCloseIsNoSuggestion() {
        #expect(Spelling.closest(to: "zzzz", among: ["param", "max-parallel"]) == nil)
        // Short words of an option do not match everything.
        #expect(Spelling.closest(to: "id", among: ["if", "log-limit"]) == "if")
        #expect(Spelling.closest(to: "ab", among: ["x-ab"]) == nil)
    }
}
