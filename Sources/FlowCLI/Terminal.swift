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

    func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { if n < 0 && errno == EINTR { continue }; return }
            offset += n
        }
    }
}
