/// How bad a diagnostic is. Errors make `flow validate` exit 2; warnings do not.
public enum Severity: String, Sendable, Hashable, Codable {
    case error
    case warning
}

/// One problem found in an input, with where it is and, optionally, notes that help fix it.
public struct Diagnostic: Hashable, Sendable {
    /// A secondary line: a suggestion, the path of a cycle, where something was first defined.
    public struct Note: Hashable, Sendable {
        public var message: String
        /// Where the note points; `nil` means the diagnostic's own location.
        public var location: SourceLocation?

        public init(_ message: String, at location: SourceLocation? = nil) {
            self.message = message
            self.location = location
        }
    }

    public var severity: Severity
    public var location: SourceLocation
    public var message: String
    public var notes: [Note]

    public init(_ severity: Severity = .error, at location: SourceLocation, _ message: String, notes: [Note] = []) {
        self.severity = severity
        self.location = location
        self.message = message
        self.notes = notes
    }

    public static func error(_ location: SourceLocation, _ message: String, notes: [Note] = []) -> Diagnostic {
        Diagnostic(.error, at: location, message, notes: notes)
    }

    public static func warning(_ location: SourceLocation, _ message: String, notes: [Note] = []) -> Diagnostic {
        Diagnostic(.warning, at: location, message, notes: notes)
    }
}

extension Array where Element == Diagnostic {
    /// Sorted by position (file, line, column), stable for diagnostics at the same place.
    public func sortedByLocation() -> [Diagnostic] {
        enumerated().sorted { a, b in
            a.element.location == b.element.location ? a.offset < b.offset : a.element.location < b.element.location
        }.map(\.element)
    }

    public var hasErrors: Bool { contains { $0.severity == .error } }
}
