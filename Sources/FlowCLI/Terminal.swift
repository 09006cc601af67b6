#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output and error, and whether colour is wanted on them.
struct Terminal: Sendable {
    let descriptor: Int32

    static let standardOutput = Terminal(descriptor: 1)
    static let standardError = Terminal(descriptor: 2)

    var isTTY: Bool { isatty(descriptor) == 1 }

    /// `TERM=dumb`: no colour and no cursor movement.
    var isDumb: Bool {
        guard let term = getenv("TERM") else { return false }
        return String(cString: term) == "dumb"
    }

    /// Colour when writing to a terminal, unless `NO_COLOR` is set (https://no-color.org) or TERM is dumb.
    var wantsColor: Bool {
        guard isTTY else { return false }
        if let noColor = getenv("NO_COLOR"), noColor.pointee != 0 { return false }
        return !isDumb
    }

    /// Writes all of `text`; false when the descriptor refused it (a closed pipe: flow ignores
    /// SIGPIPE, so a reader that went away ends the output, never the process).
    @discardableResult
    func write(_ text: String) -> Bool {
        write(bytes: Array(text.utf8))
    }

    @discardableResult
    func write(bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { if n < 0 && errno == EINTR { continue }; return false }
            offset += n
        }
        return true
    }
}
