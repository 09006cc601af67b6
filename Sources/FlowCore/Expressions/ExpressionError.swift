/// A problem in an expression, a template or a `run:` script, at a position inside that text.
public struct ExpressionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A secondary line: how to fix the problem, or another place in the same text that explains it.
    public struct Note: Hashable, Sendable {
        public var message: String
        /// Where the note points inside the text; `nil` means the error's own position.
        public var position: TextPosition?

        public init(_ message: String, at position: TextPosition? = nil) {
            self.message = message
            self.position = position
        }
    }

    public var message: String
    /// 1-based line and column (in Unicode scalars) inside the text that was parsed or evaluated.
    public var position: TextPosition
    public var notes: [Note]

    public init(_ message: String, at position: TextPosition, notes: [Note] = []) {
        self.message = message
        self.position = position
        self.notes = notes
    }

    public var description: String { "\(position.line):\(position.column): \(message)" }

    /// The same error with its position moved into an enclosing text in which the inner text starts at `origin`.
    func relocated(into origin: TextPosition) -> ExpressionError {
        ExpressionError(
            message, at: position.relocated(into: origin),
            notes: notes.map { Note($0.message, at: $0.position?.relocated(into: origin)) })
    }
}

extension TextPosition {
    /// Maps a position relative to an inner text into the enclosing text, where the inner text starts at `origin`.
    /// Only the first inner line is shifted sideways; later lines keep their own columns.
    func relocated(into origin: TextPosition) -> TextPosition {
        line == 1
            ? TextPosition(line: origin.line, column: origin.column + column - 1)
            : TextPosition(line: origin.line + line - 1, column: column)
    }
}
