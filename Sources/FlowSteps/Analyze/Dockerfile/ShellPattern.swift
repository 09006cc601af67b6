/// The `*` / `?` patterns of `${X#pat}`, `${X%pat}` and `${X/pat/repl}`, on bytes, bounded so a
/// huge value cannot make the search quadratic in practice.
enum ShellPattern {
    /// Values longer than this are left as they are by the pattern forms.
    static let maximumValue = 4096

    /// Whether all of `text` matches `pattern` (`*` any run, `?` one byte, `\` escapes).
    static func matches(_ pattern: [UInt8], _ text: ArraySlice<UInt8>) -> Bool {
        var p = 0
        var t = text.startIndex
        var starPattern = -1
        var starText = t
        while t < text.endIndex {
            if p < pattern.count {
                var literal = pattern[p]
                var width = 1
                if literal == DockerfileASCII.backslash, p + 1 < pattern.count {
                    literal = pattern[p + 1]
                    width = 2
                } else if literal == DockerfileASCII.star {
                    starPattern = p
                    starText = t
                    p += 1
                    continue
                } else if literal == DockerfileASCII.question {
                    p += 1
                    t += 1
                    continue
                }
                if literal == text[t] {
                    p += width
                    t += 1
                    continue
                }
            }
            guard starPattern >= 0 else { return false }
            p = starPattern + 1
            starText += 1
            t = starText
        }
        while p < pattern.count, pattern[p] == DockerfileASCII.star { p += 1 }
        return p == pattern.count
    }

    /// `${X#pat}` / `${X##pat}`.
    static func removePrefix(_ pattern: [UInt8], from value: [UInt8], longest: Bool) -> [UInt8] {
        guard value.count <= maximumValue else { return value }
        let lengths = longest ? Array((0...value.count).reversed()) : Array(0...value.count)
        for length in lengths where matches(pattern, value[0..<length]) {
            return Array(value[length...])
        }
        return value
    }

    /// `${X%pat}` / `${X%%pat}`.
    static func removeSuffix(_ pattern: [UInt8], from value: [UInt8], longest: Bool) -> [UInt8] {
        guard value.count <= maximumValue else { return value }
        let starts = longest ? Array(0...value.count) : Array((0...value.count).reversed())
        for start in starts where matches(pattern, value[start...]) {
            return Array(value[0..<start])
        }
        return value
    }

    /// `${X/pat/repl}` / `${X//pat/repl}`: the longest match at the leftmost place, once or everywhere.
    static func replace(_ pattern: [UInt8], with replacement: [UInt8], in value: [UInt8], all: Bool) -> [UInt8] {
        guard value.count <= maximumValue / 4, !pattern.isEmpty else { return value }
        var output: [UInt8] = []
        var index = 0
        var replaced = false
        while index < value.count {
            if !replaced || all {
                var matchEnd = -1
                var end = value.count
                while end > index {
                    if matches(pattern, value[index..<end]) {
                        matchEnd = end
                        break
                    }
                    end -= 1
                }
                if matchEnd > index {
                    output.append(contentsOf: replacement)
                    index = matchEnd
                    replaced = true
                    continue
                }
            }
            output.append(value[index])
            index += 1
        }
        return output
    }
}
