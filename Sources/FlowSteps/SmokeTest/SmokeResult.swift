import Foundation

/// What one check found: a JUnit test case and an entry of the JSON report.
public struct SmokeResult: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable { case passed, failed, skipped }

    public var name: String
    /// `smoke-test.<level>`.
    public var classname: String
    public var kind: String
    public var status: Status
    /// Seconds, as the runner measured them.
    public var time: Double
    public var message: String?
    /// The exception's type (`ModuleNotFoundError`), when one ended the check.
    public var exception: String?
    /// The traceback's last lines.
    public var traceback: [String]?
    /// What the check printed (bounded).
    public var output: String?
    /// Facts the check found (`installed`, `modules`, `cuda_build`).
    public var details: [String: String]?
    /// What would fix a failure, when known.
    public var hint: String?

    public init(name: String, classname: String, kind: String, status: Status, time: Double = 0, message: String? = nil,
                exception: String? = nil, traceback: [String]? = nil, output: String? = nil, details: [String: String]? = nil,
                hint: String? = nil) {
        self.name = name
        self.classname = classname
        self.kind = kind
        self.status = status
        self.time = time
        self.message = message
        self.exception = exception
        self.traceback = traceback
        self.output = output
        self.details = details
        self.hint = hint
    }

    /// A one-line reason for the step's error: `import yaml (PyYAML): ModuleNotFoundError: …`.
    public var summary: String {
        name + ": " + String((message ?? status.rawValue).split(separator: "\n").first ?? "")
    }
}
