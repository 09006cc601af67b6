import Foundation

/// The failure signatures `autofix-retry` knows (`Resources/autofix_signatures.json`, embedded in
/// the binary): per signature its log patterns, its class and the fix that answers it, and the
/// table of shared libraries → Debian packages. Decoded once; a bad edit to the JSON leaves the
/// catalogue empty and says why in `loadError` (a test asserts there is none).
public struct SignatureCatalogue: Sendable {
    /// What autofix does about a signature.
    public enum Class: String, Sendable, Hashable, Decodable {
        /// Edit the copy and run again.
        case fix
        /// Run again without an edit (a network hiccup).
        case retry
        /// Stop at once: no edit and no retry can help.
        case fatal
    }

    /// One entry of the catalogue.
    public struct Signature: Sendable {
        public var id: String
        public var `class`: Class
        public var fix: AutofixFixID?
        public var description: String
        /// A kept log line must match one of these.
        var any: [NSRegularExpression]
        /// And each of these must match some kept line.
        var all: [NSRegularExpression]
        /// Literal texts, one of which is on every line a pattern matches (the reader's prefilter).
        var hints: [String]
    }

    public var signatures: [Signature]
    /// Shared library file name (`libGL.so.1`) → the Debian package that ships it.
    public var systemLibraries: [String: String]

    public static let shipped: (catalogue: SignatureCatalogue, error: String?) = {
        do {
            return (try SignatureCatalogue(json: PackageResources.autofix_signatures_json), nil)
        } catch {
            return (SignatureCatalogue(signatures: [], systemLibraries: [:]), "autofix_signatures.json: \(error)")
        }
    }()

    init(signatures: [Signature], systemLibraries: [String: String]) {
        self.signatures = signatures
        self.systemLibraries = systemLibraries
    }

    init(json: [UInt8]) throws {
        struct File: Decodable {
            struct Entry: Decodable {
                var id: String
                var `class`: Class
                var fix: String?
                var any: [String]
                var all: [String]?
                var description: String
                var hints: [String]
            }
            var signatures: [Entry]
            var systemLibraries: [String: String]
        }
        let file = try JSONDecoder().decode(File.self, from: Data(json))
        signatures = try file.signatures.map { entry in
            var fix: AutofixFixID?
            if let name = entry.fix {
                guard let id = AutofixFixID(rawValue: name) else { throw CatalogueError("\(entry.id): unknown fix `\(name)`") }
                fix = id
            }
            if entry.class == .fix && fix == nil { throw CatalogueError("\(entry.id): class `fix` without a fix") }
            return Signature(id: entry.id, class: entry.class, fix: fix, description: entry.description,
                             any: try entry.any.map { try NSRegularExpression(pattern: $0) },
                             all: try (entry.all ?? []).map { try NSRegularExpression(pattern: $0) }, hints: entry.hints)
        }
        systemLibraries = file.systemLibraries
    }

    struct CatalogueError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Every hint of every signature.
    var hints: [String] { signatures.flatMap(\.hints) }

    /// One expression matching wherever any pattern of any signature (or of `extra`) matches,
    /// `^`/`$` at line ends: the bounded log reader keeps the lines it finds.
    func lineFinder(extra: [String]) -> NSRegularExpression? {
        let patterns = signatures.flatMap { $0.any + $0.all }.map(\.pattern) + extra
        return try? NSRegularExpression(pattern: patterns.map { "(?:\($0))" }.joined(separator: "|"), options: [.anchorsMatchLines])
    }

    /// The first signature the kept lines show, with the line that showed it and its captures.
    public func classify(_ lines: [String]) -> Classification? {
        for signature in signatures {
            guard signature.all.allSatisfy({ pattern in lines.contains { pattern.firstMatch(in: $0) != nil } }) else { continue }
            for line in lines {
                for pattern in signature.any {
                    if let groups = pattern.firstMatch(in: line) {
                        return Classification(signature: signature, line: line, groups: groups)
                    }
                }
            }
        }
        return nil
    }
}

/// A failed round's log, recognised: which signature, the line that showed it, and what its
/// pattern captured (a package name, a library file).
public struct Classification: Sendable {
    public var signature: SignatureCatalogue.Signature
    public var line: String
    public var groups: [String]
}

extension NSRegularExpression {
    /// The capture groups of the first match in `text` (empty strings for groups that did not
    /// take part), or nil when nothing matches.
    func firstMatch(in text: String) -> [String]? {
        let range = NSRange(text.startIndex..., in: text)
        guard let match = firstMatch(in: text, range: range) else { return nil }
        return (0..<match.numberOfRanges).map { i in
            Range(match.range(at: i), in: text).map { String(text[$0]) } ?? ""
        }
    }
}
