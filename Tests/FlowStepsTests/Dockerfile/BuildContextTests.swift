import Testing
@testable import FlowSteps

@Suite struct PathPatternTests {
    @Test func goMatchSyntax() {
        #expect(PathPattern("*.py", globstar: false).matches("train.py"))
        #expect(!PathPattern("*.py", globstar: false).matches("src/train.py"))
        #expect(PathPattern("src/*.py", globstar: false).matches("src/train.py"))
        #expect(PathPattern("data?.csv", globstar: false).matches("data1.csv"))
        #expect(!PathPattern("data?.csv", globstar: false).matches("data/.csv"))
        #expect(PathPattern("[a-c]x", globstar: false).matches("bx"))
        #expect(!PathPattern("[^a-c]x", globstar: false).matches("bx"))
        #expect(PathPattern("\\*x", globstar: false).matches("*x"))
        #expect(!PathPattern("[a-", globstar: false).matches("a"))
    }

    @Test func globstarCrossesDirectories() {
        let pattern = PathPattern("**/*.pyc", globstar: true)
        #expect(pattern.matches("a.pyc") && pattern.matches("a/b/c.pyc"))
        #expect(!pattern.matches("a/b/c.py"))
        #expect(PathPattern("docs/**", globstar: true).matches("docs/a/b.md"))
        #expect(!PathPattern("**/*.pyc", globstar: false).matches("a/b/c.pyc"))
    }
}

@Suite struct DockerIgnoreTests {
    @Test func patternsAreAnchoredAtTheRootAndCoverDirectories() {
        let ignore = DockerIgnore("# comment\n\n*.md\n/build\ndata\n")
        #expect(ignore.isExcluded("README.md"))
        #expect(!ignore.isExcluded("docs/README.md"))
        #expect(ignore.isExcluded("build/out.bin"))
        #expect(ignore.isExcluded("data/train/part-0.parquet"))
        #expect(!ignore.isExcluded("src/data.py"))
        #expect(ignore.patterns.map(\.line) == [3, 4, 5])
    }

    @Test func exceptionsAndLastMatchWins() {
        let ignore = DockerIgnore("data\n!data/keep.txt\n*.txt\n!important.txt\n")
        #expect(!ignore.isExcluded("data/keep.txt"))
        #expect(ignore.isExcluded("data/other.bin"))
        #expect(!ignore.isExcluded("important.txt"))
        #expect(ignore.isExcluded("notes.txt"))
        let reincluded = DockerIgnore("*.txt\n!keep.txt\n")
        #expect(!reincluded.isExcluded("keep.txt"))
        #expect(reincluded.decidingPattern(for: "keep.txt")?.isException == true)
    }

    @Test func pathsAreCleaned() {
        let ignore = DockerIgnore("  ./src/../secrets  \n")
        #expect(ignore.patterns.map(\.text) == ["secrets"])
        #expect(ignore.isExcluded("secrets/key.pem"))
    }
}

@Suite struct CopyMissingTests {
    let context = BuildContextFiles(
        paths: ["Dockerfile", ".dockerignore", "requirements.txt", "README.md", "src/train.py", "src/utils.py", "data/keep.txt", "data/big.bin"],
        dockerignore: "*.md\nDockerfile\ndata\n!data/keep.txt\n")

    @Test func missingAndIgnoredSourcesAreErrorsAtTheSource() {
        let text = """
            FROM python:3.11
            WORKDIR /app
            COPY requirements.txt README.md ./
            COPY configs/ ./configs/
            COPY src/*.sh ./
            COPY Dockerfile data/big.bin /meta/

            """
        let found = DockerfileRuleTesting.findings(of: "copy-missing", in: text, context: context)
        #expect(found.map { "\($0.span.line):\($0.span.column)" } == ["3:23", "4:6", "5:6", "6:6", "6:17"])
        #expect(found.allSatisfy { $0.severity == .error })
        #expect(found[0].message.contains(".dockerignore line 1"))
        #expect(found[1].message.contains("not in the build context"))
    }

    @Test func presentSourcesAreSilent() {
        let text = """
            FROM python:3.11 AS build
            WORKDIR /app
            COPY . .
            COPY ./src/ src/
            COPY src/*.py data/keep.txt data /app/
            COPY ["requirements.txt", "/app/"]
            ADD https://example.com/model.bin /models/
            COPY --from=build /app /app
            COPY $UNSET /x
            COPY <<EOF /etc/x.conf
            a=b
            EOF

            """
        let found = DockerfileRuleTesting.findings(of: "copy-missing", in: text, context: context)
        #expect(found.isEmpty, "\(found.map(\.message))")
    }

    @Test func withoutAContextTheRuleIsSkipped() {
        #expect(DockerfileRuleTesting.findings(of: "copy-missing", in: "FROM alpine:3.20\nCOPY nothing /x\n").isEmpty)
    }

    @Test func contextIndexAnswersLookups() {
        let index = context.index()
        #expect(index.match("src") == .found)
        #expect(index.match("./src/../src/train.py") == .found)
        #expect(index.match("../outside") == .missing)
        if case .ignored(let pattern) = index.match("data/big.bin") {
            #expect(pattern.text == "data" && pattern.line == 3)
        } else {
            Issue.record("data/big.bin should be ignored")
        }
    }
}

@Suite struct ShellPipInstallTests {
    private func pip(_ body: String) -> ShellPipInstall? {
        DockerfileParser.parse("FROM python:3.11\nRUN \(body)\n", file: "Dockerfile").instructions[1].shell?.commands.lazy.compactMap(\.pipInstall).first
    }

    @Test func recognisesTheSpellingsOfPip() throws {
        #expect(pip("pip install torch")?.arguments.map(\.text) == ["torch"])
        #expect(pip("/opt/venv/bin/pip3.11 --no-cache-dir install -U torch==2.4.1")?.arguments.map(\.text) == ["-U", "torch==2.4.1"])
        #expect(pip("python3 -m pip install -r requirements.txt")?.requirementFiles.map(\.text) == ["requirements.txt"])
        #expect(pip("uv pip install --requirement=req.txt -rother.txt")?.requirementFiles.map(\.text) == ["--requirement=req.txt", "-rother.txt"])
        #expect(pip("pipx install black") == nil)
        #expect(pip("pip download torch") == nil)
        let command = try #require(pip("sudo -H python -m pip install x"))
        #expect(command.invocationSpan.column == 13 && command.invocationSpan.length == "python -m pip install".utf8.count)
    }
}
