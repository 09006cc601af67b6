/// A unified diff (`diff -u` / `git diff` format, paths `a/<file>` and `b/<file>`, three lines of
/// context) of one file's old and new text, which `patch -p1` and `git apply` accept from the
/// folder the paths are relative to.
public enum UnifiedDiff {
    /// Files over this many lines are diffed as one hunk replacing everything (the LCS table
    /// would grow with the product of the line counts).
    static let maximumLines = 4000

    public static func diff(path: String, old: String, new: String, context: Int = 3) -> String {
        guard old != new else { return "" }
        let a = lines(old), b = lines(new)
        let script = a.count <= maximumLines && b.count <= maximumLines ? edits(a, b) : replaceAll(a, b)
        var out = "--- a/\(path)\n+++ b/\(path)\n"
        for hunk in hunks(script, context: context) {
            let oldCount = hunk.filter { $0.kind != .insert }.count
            let newCount = hunk.filter { $0.kind != .delete }.count
            let oldStart = hunk.first { $0.kind != .insert }.map { $0.oldLine + 1 } ?? hunk[0].oldLine
            let newStart = hunk.first { $0.kind != .delete }.map { $0.newLine + 1 } ?? hunk[0].newLine
            out += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n"
            for op in hunk {
                let (prefix, text) = switch op.kind {
                case .keep: (" ", a[op.oldLine])
                case .delete: ("-", a[op.oldLine])
                case .insert: ("+", b[op.newLine])
                }
                out += prefix + text.text + "\n"
                if !text.hasNewline { out += "\\ No newline at end of file\n" }
            }
        }
        return out
    }

    struct Line: Equatable {
        var text: Substring
        var hasNewline: Bool
    }

    struct Op {
        enum Kind { case keep, delete, insert }
        var kind: Kind
        /// Index into the old lines (for an insert: how many old lines come before it).
        var oldLine: Int
        /// Index into the new lines (for a delete: how many new lines come before it).
        var newLine: Int
    }

    static func lines(_ text: String) -> [Line] {
        var result: [Line] = []
        var rest = Substring(text)
        while let newline = rest.firstIndex(of: "\n") {
            result.append(Line(text: rest[..<newline], hasNewline: true))
            rest = rest[rest.index(after: newline)...]
        }
        if !rest.isEmpty { result.append(Line(text: rest, hasNewline: false)) }
        return result
    }

    /// The edit script from the longest common subsequence.
    static func edits(_ a: [Line], _ b: [Line]) -> [Op] {
        let n = a.count, m = b.count
        var table = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var ops: [Op] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] {
                ops.append(Op(kind: .keep, oldLine: i, newLine: j)); i += 1; j += 1
            } else if j < m, i == n || table[i][j + 1] >= table[i + 1][j] {
                ops.append(Op(kind: .insert, oldLine: i, newLine: j)); j += 1
            } else {
                ops.append(Op(kind: .delete, oldLine: i, newLine: j)); i += 1
            }
        }
        // Deletions before insertions within a change, as diff prints them.
        var ordered: [Op] = []
        var k = 0
        while k < ops.count {
            if ops[k].kind == .keep { ordered.append(ops[k]); k += 1; continue }
            var run: [Op] = []
            while k < ops.count, ops[k].kind != .keep { run.append(ops[k]); k += 1 }
            ordered += run.filter { $0.kind == .delete } + run.filter { $0.kind == .insert }
        }
        return ordered
    }

    static func replaceAll(_ a: [Line], _ b: [Line]) -> [Op] {
        a.indices.map { Op(kind: .delete, oldLine: $0, newLine: 0) } + b.indices.map { Op(kind: .insert, oldLine: a.count, newLine: $0) }
    }

    /// Changes with `context` kept lines around them; changes closer than twice that share a hunk.
    static func hunks(_ ops: [Op], context: Int) -> [[Op]] {
        let changed = ops.indices.filter { ops[$0].kind != .keep }
        guard !changed.isEmpty else { return [] }
        var groups: [ClosedRange<Int>] = []
        for index in changed {
            let lower = max(0, index - context), upper = min(ops.count - 1, index + context)
            if let last = groups.last, lower <= last.upperBound + 1 {
                groups[groups.count - 1] = last.lowerBound...max(last.upperBound, upper)
            } else {
                groups.append(lower...upper)
            }
        }
        return groups.map { Array(ops[$0]) }
    }

    static func range(_ start: Int, _ count: Int) -> String {
        count == 1 ? "\(start)" : "\(start),\(count)"
    }
}
