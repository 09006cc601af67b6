import Foundation
import Testing

@testable import FlowCore

/// The places `ShellSubstitution` rejects are rejected for a reason: with the variable reference put there
/// anyway, the real bash runs a command hidden in the value.
@Suite("Rejected shell contexts are really unsafe")
struct ShellHazardTests {
    static let arithmeticPayload = "a[$(touch CANARY)]"
    static let codePayload = "$(touch CANARY)"

    @Test(arguments: [
        ("echo $(( ${{ params.v }} ))", arithmeticPayload),
        ("(( ${{ params.v }} )) || true", arithmeticPayload),
        ("echo $[ ${{ params.v }} ]", arithmeticPayload),
        ("[[ ${{ params.v }} -eq 1 ]] || true", arithmeticPayload),
        ("[[ -v ${{ params.v }} ]] || true", arithmeticPayload),
        ("test -v ${{ params.v }} || true", arithmeticPayload),
        ("let n=${{ params.v }}", arithmeticPayload),
        ("declare -i n=${{ params.v }}", arithmeticPayload),
        ("declare -i n\nn=${{ params.v }}", arithmeticPayload),
        ("a=(1); echo ${a[${{ params.v }}]}", arithmeticPayload),
        ("s=abc; echo ${s:${{ params.v }}}", arithmeticPayload),
        ("a[${{ params.v }}]=1", arithmeticPayload),
        ("read ${{ params.v }} <<< x", arithmeticPayload),
        ("printf -v ${{ params.v }} x", arithmeticPayload),
        ("declare ${{ params.v }}=1", arithmeticPayload),
        ("eval \"echo ${{ params.v }}\"", codePayload),
        ("trap \"echo ${{ params.v }}\" EXIT", codePayload),
        ("bash -c \"echo ${{ params.v }}\"", codePayload),
    ])
    func rejectedBecauseBashWouldRunTheValue(script: String, payload: String) async throws {
        #expect(ShellSubstitution.problems(in: script).count == 1)

        // Substitute regardless of the problem (the scanner still writes the references) and run it.
        let directory = try BashHarness.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let canary = directory.appendingPathComponent("CANARY").path
        let scan = ShellScanner.scan(script)
        let environment = [
            "PATH": "/usr/bin:/bin", "FLOW_EXPR_1": payload.replacingOccurrences(of: "CANARY", with: canary),
        ]
        _ = try await BashHarness.run(scan.script, environment: environment, in: directory)
        #expect(
            FileManager.default.fileExists(atPath: canary), "bash did not run the payload; is the rejection needed?")
    }
}
