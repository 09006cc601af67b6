/// A stack status (`CREATE_COMPLETE`, `UPDATE_ROLLBACK_IN_PROGRESS`, …) classified as DOMAIN §5
/// says: still moving, ended well, or ended badly (and how).
public struct StackStatus: Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    /// What a status means for whoever waits on the stack.
    public enum Phase: Sendable, Hashable {
        /// `*_IN_PROGRESS`, `*_CLEANUP_IN_PROGRESS`, `REVIEW_IN_PROGRESS`: keep waiting.
        case inProgress
        /// `CREATE_COMPLETE`, `UPDATE_COMPLETE`, `IMPORT_COMPLETE`, `DELETE_COMPLETE`.
        case succeeded
        /// Any other terminal status: the operation failed (the stack may be usable, as after
        /// `UPDATE_ROLLBACK_COMPLETE`, or not, as after `ROLLBACK_COMPLETE`).
        case failed
    }

    public var phase: Phase {
        if rawValue.hasSuffix("_IN_PROGRESS") { return .inProgress }
        if Self.succeeded.contains(rawValue) { return .succeeded }
        return .failed
    }

    public var isInProgress: Bool { phase == .inProgress }

    static let succeeded: Set<String> = ["CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE", "DELETE_COMPLETE"]

    /// A failed create whose rollback ended: the stack holds nothing and can only be deleted.
    public var isFailedCreate: Bool { rawValue == "ROLLBACK_COMPLETE" || rawValue == "ROLLBACK_FAILED" }

    /// `REVIEW_IN_PROGRESS`: a stack made by a CREATE change set that was never executed; the
    /// next change set for it is a CREATE again.
    public var isReview: Bool { rawValue == "REVIEW_IN_PROGRESS" }

    /// The stack serves its last good template: an update may start from here.
    public var isUpdatable: Bool {
        ["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"]
            .contains(rawValue)
    }

    /// A resource status (`CREATE_FAILED`, `UPDATE_FAILED`, …) that names a failure.
    public static func isFailedResourceStatus(_ status: String) -> Bool { status.hasSuffix("_FAILED") }
}
