import FlowCore
import FlowSystem
import Foundation

/// A profile's `credential_process`: the command split into words as the AWS CLI splits it
/// (no shell), run with the chain's environment and a time limit, its output read as
/// `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}`.
/// Its standard output is never logged nor quoted in an error; the end of its standard error
/// is, when it fails (that is where such programs say why).
struct CredentialProcess {
    var profile: String
    var command: AWSProfile.Setting
    var environment: [String: String]
    var timeout: Duration
    var clock: any FlowClock

    func credentials() async throws(AWSCredentialError) -> AWSCredentials {
        let subject = "credential_process of profile \(profile) (\(command.location))"
        func fail(_ message: String) -> AWSCredentialError {
            AWSCredentialError(kind: .process, message: "\(subject) \(message)")
        }
        let words: [String]
        do {
            words = try CommandWords.split(command.value)
        } catch {
            throw fail(error.message)
        }
        guard let program = words.first else { throw fail("is empty") }

        let result: ChildProcess.Output
        do {
            let clock = self.clock
            result = try await ChildProcess.run(words, environment: environment, timeout: timeout,
                                                sleep: { try await clock.sleep(for: $0) })
        } catch {
            switch error {
            case .lookup(.notFound):
                throw fail(program.contains("/") ? "runs \(program), which is not an executable file"
                                                 : "runs \(program), which is not on PATH")
            case .lookup(.notExecutable(let path, let reason)):
                throw fail("runs \(program), which is not an executable file (\(path): \(reason))")
            case .spawnFailed(_, let reason):
                throw fail("could not start \(program): \(reason)")
            case .timedOut:
                throw fail("did not finish within \(Self.seconds(timeout)) s and was killed")
            case .invalidCommand(let reason):
                throw fail("cannot be run: \(reason)")
            case .cancelled:
                throw fail("was interrupted: the task was cancelled")
            }
        }

        guard result.exitStatus == 0 else {
            let how = result.exitStatus.map { "exited with status \($0)" } ?? "was killed by signal \(result.signal ?? 0)"
            let said = Self.lastLines(Data(result.standardError))
            throw fail(said.isEmpty ? how : "\(how): \(said)")
        }
        guard !result.outputTruncated else { throw fail("printed more than \(ChildProcess.defaultOutputLimit) bytes") }
        let answer = Data(result.standardOutput)
        if let object = (try? JSONSerialization.jsonObject(with: answer)) as? [String: Any] {
            guard let version = object["Version"] as? Int, version == 1 else {
                throw fail("printed JSON without \"Version\": 1 (the only version there is)")
            }
        }
        do {
            return try CredentialDocument.parse(answer, tokenKey: "SessionToken", source: .process(profile: profile))
        } catch {
            throw fail("printed an unusable answer: \(error.message)")
        }
    }

    /// The last non-empty lines of standard error, at most 300 characters.
    static func lastLines(_ data: Data) -> String {
        let text = String(decoding: data.suffix(2048), as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let joined = lines.suffix(3).joined(separator: " / ")
        return joined.count <= 300 ? joined : "…" + String(joined.suffix(300))
    }

    static func seconds(_ duration: Duration) -> String {
        let (whole, fraction) = duration.components
        return fraction == 0 ? "\(whole)" : String(format: "%.1f", Double(whole) + Double(fraction) / 1e18)
    }
}
