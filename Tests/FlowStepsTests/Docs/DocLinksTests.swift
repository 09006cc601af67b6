import Foundation
import Testing
import FlowTestSupport

/// Every relative link in the README, `docs/` and `bench/README.md` reaches a file of the
/// repository, and a `#anchor` into a Markdown file reaches one of its headings (GitHub's slug)
/// or an `<a id="…">`: moving a section cannot leave a dead link behind.
@Suite struct DocLinksTests {
    static let pages: [String] = {
        let docs = (try? FileManager.default.contentsOfDirectory(atPath: Repository.root.appendingPathComponent("docs").path)) ?? []
        return ["README.md", "bench/README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
    }()

    /// GitHub's anchor for a heading: lowercased, everything but letters, digits, spaces, `-`
    /// and `_` dropped, spaces made `-`; a repeated heading gets `-1`, `-2`, ….
    static func anchors(of text: String) -> Set<String> {
        var seen: [String: Int] = [:]
        var anchors = Set<String>()
        var inFence = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inFence.toggle() }
            if !inFence, line.hasPrefix("#") {
                let title = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
                let slug = String(title.lowercased().compactMap { c -> Character? in
                    if c == " " { return "-" }
                    return c.isLetter || c.isNumber || c == "-" || c == "_" ? c : nil
                })
                let count = seen[slug, default: 0]
                anchors.insert(count == 0 ? slug : "\(slug)-\(count)")
                seen[slug] = count + 1
            }
        }
        let ids = try! NSRegularExpression(pattern: #"<a id="([^"]+)""#)
        for match in ids.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            anchors.insert(String(text[Range(match.range(at: 1), in: text)!]))
        }
        return anchors
    }

    /// The `](target)` links outside code blocks and code spans.
    static func links(in text: String) -> [String] {
        var prose = ""
        var inFence = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inFence.toggle(); continue }
            if !inFence { prose += line.replacingOccurrences(of: #"`[^`]*`"#, with: "", options: .regularExpression) + "\n" }
        }
        let pattern = try! NSRegularExpression(pattern: #"\]\(([^)\s]+)\)"#)
        return pattern.matches(in: prose, range: NSRange(prose.startIndex..., in: prose)).map { String(prose[Range($0.range(at: 1), in: prose)!]) }
    }

    @Test(arguments: pages) func everyRelativeLinkResolves(page: String) throws {
        let url = Repository.root.appendingPathComponent(page)
        let text = try String(contentsOf: url, encoding: .utf8)
        var dead: [String] = []
        for link in Self.links(in: text) where !link.contains("://") && !link.hasPrefix("mailto:") {
            let parts = link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let target = parts[0].isEmpty ? url : url.deletingLastPathComponent().appendingPathComponent(parts[0]).standardizedFileURL
            guard FileManager.default.fileExists(atPath: target.path) else { dead.append("\(link) (no such file)"); continue }
            if parts.count == 2, target.pathExtension == "md" {
                let anchors = Self.anchors(of: try String(contentsOf: target, encoding: .utf8))
                if !anchors.contains(parts[1]) { dead.append("\(link) (no such heading)") }
            }
        }
        #expect(dead.isEmpty, "\(page): \(dead.joined(separator: ", "))")
    }

    @Test func theAnchorsFollowGitHubsSlugs() {
        let anchors = Self.anchors(of: "# The `flow doctor` command\n## Retry\n## Retry\n<a id=\"x-y\"></a>\n```\n# not a heading\n```\n")
        #expect(anchors == ["the-flow-doctor-command", "retry", "retry-1", "x-y"])
    }
}
