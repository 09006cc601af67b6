@testable import FlowHTTP
import FlowTestSupport
import Foundation
import Testing

/// A profile's `credential_process`, run as a real child process.
@Suite struct CredentialProcessTests {
    static let goodAnswer = #"{"Version": 1, "AccessKeyId": "ASIAPROCESS", "SecretAccessKey": "s3cr3t-process", "SessionToken": "t0ken-process", "Expiration": "2027-01-15T09:00:00Z"}"#

    func home(process: String, script: String, scriptName: String = "creds") throws -> AWSHome {
        let home = try AWSHome()
        try home.script(scriptName, script)
        try home.config("[default]\nregion = us-east-1\ncredential_process = \(process)\n")
        return home
    }

    @Test func itsJSONBecomesTemporaryCredentials() async throws {
        let home = try home(process: "creds", script: "echo '\(Self.goodAnswer)'")
        defer { home.remove() }
        let credentials = try await makeChain(home.environment()).credentials()
        #expect(credentials.accessKeyId == "ASIAPROCESS")
        #expect(credentials.secretAccessKey == "s3cr3t-process")
        #expect(credentials.sessionToken == "t0ken-process")
        #expect(credentials.expiration == Date(timeIntervalSince1970: 1_800_003_600))
        #expect(credentials.source == .process(profile: "default"))
    }

    @Test func theCommandIsSplitLikeTheAWSCLIAndRunWithoutAShell() async throws {
        let home = try AWSHome()
        defer { home.remove() }
        // The script writes its arguments, one per line, then answers.
        try home.script("show args", """
            for a in "$@"; do printf '%s\\n' "$a"; done > "$HOME/args"
            echo '\(Self.goodAnswer)'
            """)
        try home.credentials(#"""
            [default]
            credential_process = "show args" 'single $HOME' "double \"q\" \\ \x" plain\ space $HOME x;y
            """#)
        _ = try await makeChain(home.environment()).credentials()
        let arguments = try String(contentsOf: home.directory.file("args"), encoding: .utf8)
        #expect(arguments == "single $HOME\ndouble \"q\" \\ \\x\nplain space\n$HOME\nx;y\n")
    }

    @Test(arguments: [
        ("a b", ["a", "b"]),
        ("  a\t 'b c'  ", ["a", "b c"]),
        ("a'b'\"c\"d", ["abcd"]),
        ("a '' b", ["a", "", "b"]),
        (#"a\ b "c\"d" 'e\f'"#, ["a b", "c\"d", "e\\f"]),
        ("x # not a comment", ["x", "#", "not", "a", "comment"]),
    ])
    func wordsSplitAsShlexDoes(command: String, words: [String]) throws {
        #expect(try CommandWords.split(command) == words)
    }

    @Test func unbalancedQuotesAreAnError() async throws {
        #expect(throws: CommandWords.Problem(message: "has an unclosed single quote")) { try CommandWords.split("a 'b") }
        #expect(throws: CommandWords.Problem(message: "has an unclosed double quote")) { try CommandWords.split("a \"b") }
        #expect(throws: CommandWords.Problem(message: "ends with a lone backslash")) { try CommandWords.split("a \\") }

        let home = try home(process: "creds 's3cr3t", script: "exit 0")
        defer { home.remove() }
        let error = await credentialError { try await makeChain(home.environment()).credentials() }
        #expect(error?.kind == .process)
        #expect(error?.description == "credential_process of profile default (~/.aws/config:3) has an unclosed single quote")
    }

    @Test func aFailingProcessReportsItsStatusAndWhatItSaidOnStandardError() async throws {
        let home = try home(process: "creds", script: """
            echo '\(Self.goodAnswer)'
            echo 'the SSO session has expired; run aws sso login' >&2
            exit 3
            """)
        defer { home.remove() }
        let error = await credentialError { try await makeChain(home.environment()).credentials() }
        #expect(error?.kind == .process)
        #expect(error?.description == "credential_process of profile default (~/.aws/config:3) exited with status 3: the SSO session has expired; run aws sso login")
    }

    @Test(arguments: [
        ("echo 'not json s3cr3t-in-output'", "printed an unusable answer: not a JSON object"),
        (#"echo '{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "s3cr3t"}'"#, #"printed JSON without "Version": 1 (the only version there is)"#),
        (#"echo '{"Version": 1, "AccessKeyId": "ASIA", "SessionToken": "t0ken"}'"#, "printed an unusable answer: no SecretAccessKey"),
        (#"echo '{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s3cr3t", "Expiration": "tomorrow"}'"#, "printed an unusable answer: Expiration tomorrow is not an ISO 8601 date"),
        ("true", "printed an unusable answer: empty answer"),
    ])
    func badOutputIsAnErrorThatNeverQuotesIt(script: String, problem: String) async throws {
        let home = try home(process: "creds", script: script)
        defer { home.remove() }
        let error = await credentialError { try await makeChain(home.environment()).credentials() }
        #expect(error?.description == "credential_process of profile default (~/.aws/config:3) \(problem)")
    }

    @Test func aProgramNotOnPathIsNamed() async throws {
        let home = try home(process: "no-such-credential-helper --token s3cr3t", script: "exit 0")
        defer { home.remove() }
        let error = await credentialError { try await makeChain(home.environment()).credentials() }
        #expect(error?.description == "credential_process of profile default (~/.aws/config:3) runs no-such-credential-helper, which is not on PATH")
    }

    @Test func aFileOnPathThatCannotBeExecutedIsNamedWithWhy() async throws {
        let home = try home(process: "creds --token s3cr3t", script: "exit 0")
        defer { home.remove() }
        let script = home.directory.file("bin/creds").path
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: script)
        let error = await credentialError { try await makeChain(home.environment()).credentials() }
        #expect(error?.description == "credential_process of profile default (~/.aws/config:3) runs creds, which is not an executable file (\(script): Permission denied)")
    }

    @Test func aProcessThatHangsIsKilledAtTheTimeoutWithItsChildren() async throws {
        let home = try home(process: "creds", script: """
            sleep 300 &
            echo $! > "$HOME/grandchild"
            wait
            """)
        defer { home.remove() }
        let clock = ManualClock()
        let chain = makeChain(home.environment(), clock: clock)
        let attempt = Task { try await chain.credentials() }
        let grandchild = home.directory.file("grandchild")
        while clock.waiting == 0 || !FileManager.default.fileExists(atPath: grandchild.path) {
            try await Task.sleep(for: .milliseconds(10))
        }
        clock.advance(by: 61)
        let error = await credentialError { try await attempt.value }
        #expect(error?.description == "credential_process of profile default (~/.aws/config:3) did not finish within 60 s and was killed")
        var pidText = ""
        while pidText.isEmpty { pidText = (try? String(contentsOf: grandchild, encoding: .utf8)) ?? "" }
        let pid = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        // Gone, or a zombie waiting for whoever reaps orphans.
        func dead() -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return true }
            return stat[stat.index(close, offsetBy: 2)] == "Z"
        }
        var gone = false
        for _ in 0..<500 where !gone {
            gone = dead()
            if !gone { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(gone, "the credential process's own child outlived the timeout")
    }

    @Test func expiringProcessCredentialsAreRunAgainFiveMinutesBeforeTheyExpire() async throws {
        let home = try AWSHome()
        defer { home.remove() }
        // Each run answers with a new key id, and the expiry 1 h after the manual clock's start.
        try home.script("counting", """
            n=$(( $(cat "$HOME/runs" 2>/dev/null || echo 0) + 1 )); echo $n > "$HOME/runs"
            echo "{\\"Version\\": 1, \\"AccessKeyId\\": \\"ASIARUN$n\\", \\"SecretAccessKey\\": \\"s3cr3t-$n\\", \\"SessionToken\\": \\"t0ken-$n\\", \\"Expiration\\": \\"2027-01-15T09:00:00Z\\"}"
            """)
        try home.config("[default]\ncredential_process = counting\n")
        let clock = ManualClock()
        let chain = makeChain(home.environment(), clock: clock)
        #expect(try await chain.credentials().accessKeyId == "ASIARUN1")
        clock.advance(by: 54 * 60)
        #expect(try await chain.credentials().accessKeyId == "ASIARUN1")
        clock.advance(by: 60 + 1)
        #expect(try await chain.credentials().accessKeyId == "ASIARUN2")
    }
}
