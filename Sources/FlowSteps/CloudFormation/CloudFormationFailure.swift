import Foundation
import FlowEngine
import FlowHTTP

/// CloudFormation errors as step errors: throttling and server faults may pass on a later
/// attempt (retryable); a `ValidationError`, `InsufficientCapabilities`, an access denial or a
/// template fault will not (terminal). Messages are masked: they may quote parameter values.
public enum CloudFormationFailure {
    /// `doing` says what flow was doing: `create change set for stack web`.
    public static func stepError(_ error: any Error, doing: String, mask: (String) -> String) -> any Error {
        switch error {
        case let aws as AWSError:
            let kind: StepError.Kind = aws.isRetryable ? .retryable : .terminal
            return StepError(mask("\(doing): \(aws.code): \(aws.message)" + hint(aws)), kind: kind)
        case is StepError, is CancellationError:
            return error
        default:
            // Transport failures (connection refused, TLS) are the HTTP layer's; a later attempt may pass.
            return StepError(mask("\(doing): \(error)"), kind: .retryable)
        }
    }

    /// Runs `body`, turning what it throws into a step error.
    public static func mapping<T: Sendable>(_ doing: String, mask: (String) -> String,
                                           _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw stepError(error, doing: doing, mask: mask) }
    }

    static func hint(_ error: AWSError) -> String {
        switch error.code {
        case "InsufficientCapabilitiesException", "InsufficientCapabilities":
            return "; add what it names to `capabilities` (CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND)"
        case "AccessDenied", "AccessDeniedException":
            return "; the credentials (or `role-arn`) need this CloudFormation permission"
        default:
            return ""
        }
    }

    /// A resource's failure reason that names a transient cause (throttling, a limit hit for
    /// the moment): a retried deploy may pass.
    public static func isTransientReason(_ reason: String) -> Bool {
        let lowered = reason.lowercased()
        return ["rate exceeded", "throttl", "too many requests", "service unavailable", "internal failure",
                "please try again"].contains { lowered.contains($0) }
    }
}
