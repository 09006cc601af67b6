import Testing
@testable import FlowSteps

/// One fix: the Dockerfile, the rule, and the text after applying its first finding's fix.
struct DockerfileFixCase: Sendable, CustomTestStringConvertible {
    var rule: String
    var note: String
    var before: String
    var after: String

    init(_ rule: String, _ note: String, _ before: String, _ after: String) {
        self.rule = rule
        self.note = note
        self.before = before
        self.after = after
    }

    var testDescription: String { "\(rule): \(note)" }
}

@Suite struct DockerfileFixTests {
    static let cases: [DockerfileFixCase] = [
        DockerfileFixCase("DL3014", "add -y", "FROM debian:12\nRUN apt-get update && apt-get install foo=1\n",
                "FROM debian:12\nRUN apt-get update && apt-get install -y foo=1\n"),
        DockerfileFixCase("DL3015", "add --no-install-recommends", "FROM debian:12\nRUN apt-get update && apt-get install -y foo=1\n",
                "FROM debian:12\nRUN apt-get update && apt-get install --no-install-recommends -y foo=1\n"),
        DockerfileFixCase("DL3009", "remove the lists", "FROM debian:12\nRUN apt-get update && apt-get install -y foo=1 > /dev/null; echo done\n",
                "FROM debian:12\nRUN apt-get update && apt-get install -y foo=1 > /dev/null && rm -rf /var/lib/apt/lists/*; echo done\n"),
        DockerfileFixCase("DL3027", "apt to apt-get", "FROM debian:12\nRUN apt update\n", "FROM debian:12\nRUN apt-get update\n"),
        DockerfileFixCase("DL3020", "ADD to COPY", "FROM alpine:3.20\nADD --chown=1:1 app.py /app/\n", "FROM alpine:3.20\nCOPY --chown=1:1 app.py /app/\n"),
        DockerfileFixCase("DL4000", "MAINTAINER to LABEL", "FROM alpine:3.20\nMAINTAINER Jane \"JD\" <jane@example.com>\n",
                "FROM alpine:3.20\nLABEL maintainer=\"Jane \\\"JD\\\" <jane@example.com>\"\n"),
        DockerfileFixCase("DL3025", "CMD to JSON", "FROM python:3.11\nCMD python app.py\n", "FROM python:3.11\nCMD [\"python\", \"app.py\"]\n"),
        DockerfileFixCase("DL3025", "continued ENTRYPOINT to JSON", "FROM python:3.11\nENTRYPOINT python \\\n    -m 'my app' --port 8080\n",
                "FROM python:3.11\nENTRYPOINT [\"python\", \"-m\", \"my app\", \"--port\", \"8080\"]\n"),
        DockerfileFixCase("DL3047", "wget --progress", "FROM debian:12\nRUN wget -O /tmp/a https://x/a.tgz\n",
                "FROM debian:12\nRUN wget --progress=dot:giga -O /tmp/a https://x/a.tgz\n"),
        DockerfileFixCase("apt-no-update", "insert update", "FROM debian:12\nARG DEBIAN_FRONTEND=noninteractive\nRUN apt-get install -y curl\n",
                "FROM debian:12\nARG DEBIAN_FRONTEND=noninteractive\nRUN apt-get update && apt-get install -y curl\n"),
        DockerfileFixCase("apt-no-update", "before an assignment prefix", "FROM debian:12\nRUN DEBIAN_FRONTEND=noninteractive apt-get install -y curl\n",
                "FROM debian:12\nRUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y curl\n"),
        DockerfileFixCase("apt-no-update", "after then", "FROM debian:12\nENV DEBIAN_FRONTEND=noninteractive\nRUN if true; then apt-get install -y a; fi\n",
                "FROM debian:12\nENV DEBIAN_FRONTEND=noninteractive\nRUN if true; then apt-get update && apt-get install -y a; fi\n"),
        DockerfileFixCase("debian-frontend", "ARG after FROM", "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y tzdata\n",
                "FROM ubuntu:24.04\nARG DEBIAN_FRONTEND=noninteractive\nRUN apt-get update && apt-get install -y tzdata\n"),
        DockerfileFixCase("debian-frontend", "after a continued FROM in a CRLF file",
                "FROM \\\r\n  ubuntu:24.04 AS base\r\nRUN apt-get update && apt-get install -y tzdata\r\n",
                "FROM \\\r\n  ubuntu:24.04 AS base\r\nARG DEBIAN_FRONTEND=noninteractive\r\nRUN apt-get update && apt-get install -y tzdata\r\n"),
    ]

    @Test(arguments: cases)
    func fixAppliesAndTheFindingIsGone(_ example: DockerfileFixCase) throws {
        let before = DockerfileRuleTesting.findings(of: example.rule, in: example.before)
        let finding = try #require(before.first)
        let fixed = try #require(DockerfileRuleTesting.applying(finding, to: example.before))
        #expect(fixed == example.after)
        let after = DockerfileRuleTesting.findings(fixed)
        #expect(!after.contains { $0.rule == example.rule }, "\(after.filter { $0.rule == example.rule }.map(\.message))")
        #expect(!after.contains { $0.rule == "dockerfile-syntax" })
    }

    @Test func aFixEditsOnlyTheDockerfile() {
        for example in Self.cases {
            for finding in DockerfileRuleTesting.findings(example.before) {
                #expect(finding.fix?.edits.allSatisfy { $0.file == "Dockerfile" } ?? true)
            }
        }
    }

    @Test func shellFormWithShellSyntaxGetsNoFix() {
        let finding = DockerfileRuleTesting.findings(of: "DL3025", in: "FROM python:3.11\nCMD python app.py && echo $HOME\n").first
        #expect(finding != nil && finding?.fix == nil)
    }

    @Test func addWithAnArchiveOrChecksumGetsNoFix() {
        let mixed = DockerfileRuleTesting.findings(of: "DL3020", in: "FROM alpine:3.20\nADD app.py rootfs.tar.gz /x/\n").first
        #expect(mixed != nil && mixed?.fix == nil)
    }

    @Test func aptListFindingAndFixOverAHeredocScript() throws {
        let text = "FROM debian:12\nRUN <<EOF\napt-get update\napt-get install -y a=1\nEOF\n"
        let finding = try #require(DockerfileRuleTesting.findings(of: "DL3009", in: text).first)
        #expect(finding.span.line == 4 && finding.span.column == 1)
        let fixed = try #require(DockerfileRuleTesting.applying(finding, to: text))
        #expect(fixed == "FROM debian:12\nRUN <<EOF\napt-get update\napt-get install -y a=1 && rm -rf /var/lib/apt/lists/*\nEOF\n")
        #expect(DockerfileRuleTesting.findings(of: "DL3009", in: fixed).isEmpty)
    }

    @Test func allFixesOfAMessyDockerfileTogetherLeaveAValidFile() throws {
        let text = """
            FROM ubuntu:24.04
            MAINTAINER ops@example.com
            RUN apt install -y curl=8.5.0-2ubuntu10
            RUN apt-get install python3=3.12.3-0ubuntu1 && wget https://example.com/x.tgz
            ADD app.py /srv/app.py
            CMD python3 /srv/app.py

            """
        let findings = DockerfileRuleTesting.findings(text)
        let fixable = findings.filter { $0.fix != nil }
        #expect(Set(fixable.map(\.rule)) == ["DL4000", "DL3027", "DL3014", "DL3015", "DL3009", "DL3047", "DL3020", "DL3025",
                                             "apt-no-update", "debian-frontend"])
        // Applying fixes can reveal the next one (apt → apt-get, then apt-get's own rules): repeat, bounded.
        var fixed = text
        var rounds = 0
        while rounds < 5 {
            let edits = DockerfileRuleTesting.findings(fixed).compactMap(\.fix).flatMap(\.edits)
            if edits.isEmpty { break }
            fixed = String(decoding: TextEdit.apply(edits, to: Array(fixed.utf8)), as: UTF8.self)
            rounds += 1
        }
        let after = DockerfileRuleTesting.findings(fixed)
        #expect(rounds <= 2 && after.filter { $0.fix != nil }.isEmpty, "\(after.filter { $0.fix != nil }.map(\.rule))\n\(fixed)")
        #expect(!after.contains { $0.rule == "dockerfile-syntax" })
    }
}
