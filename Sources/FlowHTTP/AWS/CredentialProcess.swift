import FlowCore
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

        let result: ChildProcess.Result
        do {
            result = try await ChildProcess.run(words, environment: environment, timeout: timeout, clock: clock)
        } catch ChildProcess.Failure.notFound {
            throw fail(program.contains("/") ? "runs \(program), which is not an executable file"
                                             : "runs \(program), which is not on PATH")
        } catch ChildProcess.Failure.spawn(_, let reason) {
            throw fail("could not start \(program): \(reason)")
        } catch ChildProcess.Failure.timedOut {
            throw fail("did not finish within \(Self.seconds(timeout)) s and was killed")
        } catch {
            throw fail("was interrupted: \(error)")
        }

        guard result.status == 0 else {
            let how = result.status.map { "exited with status \($0)" } ?? "was killed by signal \(result.signal ?? 0)"
            let said = Self.lastLines(result.stderr)
            throw fail(said.isEmpty ? how : "\(how): \(said)")
        }
        guard !result.truncated else { throw fail("printed more than \(ChildProcess.outputLimit) bytes") }
        if let object = (try? JSONSerialization.jsonObject(with: result.stdout)) as? [String: Any] {
            guard let version = object["Version"] as? Int, version == 1 else {
                throw fail("printed JSON without \"Version\": 1 (the only version there is)")
            }
        }
        do {
            return try CredentialDocument.parse(result.stdout, tokenKey: "SessionToken", source: .process(profile: profile))
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
