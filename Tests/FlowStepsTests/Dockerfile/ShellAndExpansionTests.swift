import Testing
@testable import FlowSteps

@Suite struct ShellCommandLineTests {
    private func commands(_ body: String) -> [ShellCommand] {
        let dockerfile = DockerfileParser.parse("FROM debian:12\nRUN \(body)\n", file: "Dockerfile")
        return dockerfile.instructions[1].shell?.commands ?? []
    }

    @Test func separatorsSplitCommands() {
        let split = commands("a && b || c; d | e & f")
        #expect(split.compactMap(\.name) == ["a", "b", "c", "d", "e", "f"])
        #expect(split.map(\.separator) == [.and, .or, .semicolon, .pipe, .background, .end])
        #expect(split[3].separatorSpan?.column == 20)
    }

    @Test func quotesAreRemovedInTextAndKeptInRaw() {
        let words = commands("echo \"a b\" 'c d' e\\ f").first?.words ?? []
        #expect(words.map(\.text) == ["echo", "a b", "c d", "e f"])
        #expect(words.map(\.raw) == ["echo", "\"a b\"", "'c d'", "e\\ f"])
        #expect(words[1].span.column == 10 && words[1].span.length == 5)
    }

    @Test func substitutionsStayInsideAWord() {
        let split = commands("echo $(uname -m && echo x) `date` ${A:-b}")
        #expect(split.count == 1)
        #expect(split[0].words.map(\.text) == ["echo", "$(uname -m && echo x)", "`date`", "${A:-b}"])
    }

    @Test func assignmentsAndPrefixesAreKeptApart() {
        let split = commands("DEBIAN_FRONTEND=noninteractive sudo -E apt-get install -y tzdata && env -i A=1 pip install x")
        #expect(split[0].assignments.map(\.text) == ["DEBIAN_FRONTEND=noninteractive"])
        #expect(split[0].prefixes.map(\.text) == ["sudo", "-E"])
        #expect(split[0].name == "apt-get" && split[0].usesSudo)
        #expect(split[1].prefixes.map(\.text) == ["env", "-i"])
        #expect(split[1].assignments.map(\.text) == ["A=1"])
        #expect(split[1].words.map(\.text) == ["pip", "install", "x"])
    }

    @Test func redirectionsAreNotArguments() {
        let split = commands("apt-get install -y curl > /dev/null 2>&1")
        #expect(split[0].words.map(\.text) == ["apt-get", "install", "-y", "curl"])
        #expect(split[0].redirections.map(\.text) == [">", "/dev/null", "2>&", "1"])
    }

    @Test func reservedWordsAreSkipped() {
        let split = commands("if [ -f x ]; then apt-get install -y a; fi")
        #expect(split.map(\.name) == ["[", "apt-get", nil])
    }

    @Test func commentsEndAtTheLine() {
        let split = commands("echo a # && rm -rf /")
        #expect(split.count == 1 && split[0].words.map(\.text) == ["echo", "a"])
    }

    @Test func nestedHeredocBodiesInAScriptAreSkipped() {
        let text = "FROM debian:12\nRUN <<EOF\ncat > /etc/x <<CONF\napt-get install nothing\nCONF\necho done\nEOF\n"
        let shell = DockerfileParser.parse(text, file: "Dockerfile").instructions[1].shell
        #expect(shell?.commands.compactMap(\.name) == ["cat", "echo"])
    }
}

@Suite struct VariableExpansionTests {
    private func expand(_ word: String, _ values: [String: String] = ["X": "x", "EMPTY": ""]) -> Expansion {
        VariableExpander.expand(word) { values[$0] }
    }

    @Test func theReferenceForms() {
        #expect(expand("$X-${X}").value == "x-x")
        #expect(expand("${UNSET:-d} ${EMPTY:-d} ${EMPTY-d} ${UNSET-d}").value == "d d  d")
        #expect(expand("${X:+alt} ${EMPTY:+alt}|${EMPTY+alt} ${UNSET+alt}").value == "alt |alt ")
        #expect(expand("\\$X '$X' \"$X\"").value == "$X $X x")
        #expect(expand("${UNSET:-${X:-no}}").value == "x")
        #expect(expand("$UNSET").unsetVariables == ["UNSET"])
    }

    @Test func patternForms() {
        let values = ["V": "2.4.1+cu121"]
        #expect(expand("${V%+*}", values).value == "2.4.1")
        #expect(expand("${V#*+}", values).value == "cu121")
        #expect(expand("${V/./-}|${V//./-}", values).value == "2-4.1+cu121|2-4-1+cu121")
    }

    @Test func problemsAreReportedNotThrown() {
        #expect(expand("${}").problem != nil)
        #expect(expand("${X").problem != nil)
        #expect(expand("\"open").problem != nil)
        let deep = String(repeating: "${A:-", count: 500) + String(repeating: "}", count: 500)
        #expect(expand(deep).problem != nil)
    }

    @Test func outputIsBounded() {
        var values = ["A": String(repeating: "a", count: 100_000)]
        values["B"] = String(repeating: "$A", count: 50)
        let result = VariableExpander.expand(String(repeating: "$A", count: 50)) { values[$0] }
        #expect(result.value.utf8.count == VariableExpander.maximumOutput)
        #expect(result.problem != nil)
    }
}
