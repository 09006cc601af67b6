/// Splits a `credential_process` command line into words the way the AWS CLI does on
/// Linux (Python's `shlex.split`, POSIX mode): whitespace separates words; `'…'` is literal;
/// in `"…"` a backslash escapes only `"` and `\`; outside quotes a backslash escapes any
/// character. No shell runs: `$VAR`, `~`, globs, `|` and `;` are plain characters.
enum CommandWords {
    struct Problem: Error, Equatable {
        var message: String
    }

    static func split(_ command: String) throws(Problem) -> [String] {
        enum State { case between, word, single, double }
        var words: [String] = []
        var word = ""
        var state = State.between
        var iterator = command.makeIterator()
        while let c = iterator.next() {
            switch state {
            case .between, .word:
                if c == " " || c == "\t" || c == "\n" || c == "\r" {
                    if state == .word { words.append(word); word = "" }
                    state = .between
                } else if c == "'" {
                    state = .single
                } else if c == "\"" {
                    state = .double
                } else if c == "\\" {
                    guard let next = iterator.next() else { throw Problem(message: "ends with a lone backslash") }
                    word.append(next)
                    state = .word
                } else {
                    word.append(c)
                    state = .word
                }
            case .single:
                if c == "'" { state = .word } else { word.append(c) }
            case .double:
                if c == "\"" {
                    state = .word
                } else if c == "\\" {
                    guard let next = iterator.next() else { throw Problem(message: "has an unclosed double quote") }
                    if next != "\"" && next != "\\" { word.append("\\") }
                    word.append(next)
                } else {
                    word.append(c)
                }
            }
        }
        switch state {
        case .single: throw Problem(message: "has an unclosed single quote")
        case .double: throw Problem(message: "has an unclosed double quote")
        case .word: words.append(word)
        case .between: break
        }
        return words
    }
}
