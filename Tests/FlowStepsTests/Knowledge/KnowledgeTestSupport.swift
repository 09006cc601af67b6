import Foundation
@testable import FlowSteps
import FlowTestSupport

/// A deliberately small stand-in for the real Dockerfile and requirements parsers, so the torch
/// rules can be tested on real text end to end: apply a fix, re-parse, re-check. It reads
/// single-line instructions only: `FROM ref [AS name]`, `ENV PIP_BREAK_SYSTEM_PACKAGES=1`,
/// `RUN a && b` where a command may be `pip|pip3|python -m pip|/venv/bin/pip install …`, and
/// requirements files with one requirement or index option per line.
struct TorchImageSketch {
    var dockerfile: String
    var requirements: [String: String] = [:]
    var pythonOverride: String?
    var cudaOverride: String?
    var torchOverride: String?

    static let dockerfileName = "Dockerfile"

    func facts() -> ImageFacts {
        var facts = ImageFacts()
        facts.pythonOverride = pythonOverride
        facts.cudaOverride = cudaOverride
        facts.torchOverride = torchOverride
        var breakSystemByEnv = false
        var runIndex = 0
        for line in Self.lines(dockerfile) {
            let words = Self.words(line.text, lineStart: line.offset, lineNumber: line.number, file: Self.dockerfileName, source: dockerfile)
            guard let keyword = words.first?.text.uppercased() else { continue }
            switch keyword {
            case "FROM":
                let rest = words.dropFirst().filter { !$0.text.hasPrefix("--") }
                if let image = rest.first { facts.baseImage = ImageFacts.Located(image.text, span: image.span) }
            case "ENV":
                if line.text.contains("PIP_BREAK_SYSTEM_PACKAGES=1") { breakSystemByEnv = true }
            case "RUN":
                var command: [Word] = []
                for word in words.dropFirst() {
                    if word.text == "&&" || word.text == ";" {
                        readCommand(command, runIndex: runIndex, envBreak: breakSystemByEnv, into: &facts)
                        command = []
                    } else {
                        command.append(word)
                    }
                }
                readCommand(command, runIndex: runIndex, envBreak: breakSystemByEnv, into: &facts)
                runIndex += 1
            default:
                break
            }
        }
        for (file, text) in requirements.sorted(by: { $0.key < $1.key }) {
            for line in Self.lines(text) {
                let words = Self.words(line.text, lineStart: line.offset, lineNumber: line.number, file: file, source: text)
                guard let first = words.first, !first.text.hasPrefix("#") else { continue }
                if ["--index-url", "--extra-index-url", "-i", "-f", "--find-links"].contains(first.text), words.count > 1 {
                    facts.indexURLs.append(ImageFacts.Located(words[1].text, span: words[1].span))
                    continue
                }
                let removalLength = line.length + (line.offset + line.length < text.utf8.count ? 1 : 0)
                let removal = TextEdit(file: file, offset: line.offset, length: removalLength, replacement: "")
                if let install = Self.requirement(first, pipInstall: nil, removal: removal) { facts.packages.append(install) }
            }
        }
        return facts
    }

    private func readCommand(_ words: [Word], runIndex: Int, envBreak: Bool, into facts: inout ImageFacts) {
        var index = 0
        var prefixStart: Word?
        // `python -m pip install`, `pip install`, `/opt/venv/bin/pip install`, `uv pip install`.
        while index < words.count {
            let text = words[index].text
            if text.hasSuffix("pip") || text.hasSuffix("pip3") {
                if prefixStart == nil { prefixStart = words[index] }
                break
            }
            if text.hasPrefix("python") || text == "-m" || text == "uv" {
                if prefixStart == nil { prefixStart = words[index] }
                index += 1
                continue
            }
            prefixStart = nil
            index += 1
        }
        guard index + 1 < words.count, words[index + 1].text == "install", let start = prefixStart else { return }
        let pipWord = words[index]
        let installWord = words[index + 1]
        let commandSpan = SourceSpan(file: start.span.file, line: start.span.line, column: start.span.column,
                                     offset: start.span.offset,
                                     length: installWord.span.offset + installWord.span.length - start.span.offset)
        let venv = pipWord.text.contains("/venv/") || pipWord.text.contains("/.venv/")
        var invocation = ImageFacts.PipInvocation(runIndex: runIndex, commandSpan: commandSpan,
                                                  breakSystemPackages: false, outsideSystemPython: venv || envBreak)
        let pipIndex = facts.pipInstalls.count
        var rest = Array(words[(index + 2)...])
        var position = 0
        while position < rest.count {
            let word = rest[position]
            let text = word.text
            if text == "--break-system-packages" { invocation.breakSystemPackages = true }
            else if text == "--user" { invocation.outsideSystemPython = true }
            else if ["--index-url", "--extra-index-url", "-i", "-f", "--find-links", "-r", "-c"].contains(text) {
                if position + 1 < rest.count, text != "-r", text != "-c" {
                    facts.indexURLs.append(ImageFacts.Located(rest[position + 1].text, span: rest[position + 1].span))
                }
                position += 1
            } else if text.hasPrefix("--index-url=") || text.hasPrefix("--extra-index-url=") {
                let value = String(text.split(separator: "=", maxSplits: 1).last ?? "")
                let valueOffset = word.span.offset + text.utf8.count - value.utf8.count
                facts.indexURLs.append(ImageFacts.Located(value, span: SourceSpan(
                    file: word.span.file, line: word.span.line, column: word.span.column + text.count - value.count,
                    offset: valueOffset, length: value.utf8.count)))
            } else if !text.hasPrefix("-") {
                let removal = TextEdit(file: word.span.file, offset: word.span.offset - 1, length: word.span.length + 1, replacement: "")
                if let install = Self.requirement(word, pipInstall: pipIndex, removal: removal) { facts.packages.append(install) }
            }
            position += 1
        }
        rest.removeAll()
        facts.pipInstalls.append(invocation)
    }

    /// `torch==2.4.1+cu121` → name `torch`, specifier `==2.4.1+cu121`, pinned `2.4.1+cu121`.
    static func requirement(_ word: Word, pipInstall: Int?, removal: TextEdit?) -> ImageFacts.PackageInstall? {
        let text = word.text.replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: "'", with: "")
        let operators: Set<Character> = ["=", "<", ">", "!", "~"]
        let nameEnd = text.firstIndex(where: { operators.contains($0) }) ?? text.endIndex
        let rawName = String(text[..<nameEnd])
        guard !rawName.isEmpty, rawName.allSatisfy({ $0.isLetter || $0.isNumber || "-_.[]".contains($0) }) else { return nil }
        let name = normalize(String(rawName.prefix(while: { $0 != "[" })))
        let specifier = String(text[nameEnd...])
        var pinned: String?
        if specifier.hasPrefix("==="), specifier.count > 3 { pinned = String(specifier.dropFirst(3)) }
        else if specifier.hasPrefix("=="), specifier.count > 2, !specifier.contains(","), !specifier.contains("*") { pinned = String(specifier.dropFirst(2)) }
        var specifierSpan: SourceSpan?
        if !specifier.isEmpty, word.text == text {
            let nameBytes = rawName.utf8.count
            specifierSpan = SourceSpan(file: word.span.file, line: word.span.line, column: word.span.column + rawName.count,
                                       offset: word.span.offset + nameBytes, length: specifier.utf8.count)
        }
        return ImageFacts.PackageInstall(name: name, specifier: specifier, pinnedVersion: pinned, span: word.span,
                                         specifierSpan: specifierSpan, pipInstall: pipInstall, removal: removal)
    }

    static func normalize(_ name: String) -> String {
        var result = ""
        var lastWasSeparator = false
        for character in name.lowercased() {
            if "-_.".contains(character) {
                if !lastWasSeparator { result.append("-") }
                lastWasSeparator = true
            } else {
                result.append(character)
                lastWasSeparator = false
            }
        }
        return result
    }

    struct Line {
        var text: String
        var offset: Int
        var length: Int
        var number: Int
    }

    struct Word {
        var text: String
        var span: SourceSpan
    }

    static func lines(_ text: String) -> [Line] {
        var result: [Line] = []
        var offset = 0
        var number = 1
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let length = line.utf8.count
            result.append(Line(text: String(line), offset: offset, length: length, number: number))
            offset += length + 1
            number += 1
        }
        return result
    }

    /// Space-separated words with spans (columns in Unicode scalars).
    static func words(_ line: String, lineStart: Int, lineNumber: Int, file: String, source: String) -> [Word] {
        var words: [Word] = []
        var current = ""
        var startByte = 0
        var startColumn = 1
        var byte = 0
        var column = 1
        for scalar in line.unicodeScalars {
            let size = String(scalar).utf8.count
            if scalar == " " || scalar == "\t" {
                if !current.isEmpty {
                    words.append(Word(text: current, span: SourceSpan(file: file, line: lineNumber, column: startColumn,
                                                                      offset: lineStart + startByte, length: current.utf8.count)))
                    current = ""
                }
            } else {
                if current.isEmpty {
                    startByte = byte
                    startColumn = column
                }
                current.unicodeScalars.append(scalar)
            }
            byte += size
            column += 1
        }
        if !current.isEmpty {
            words.append(Word(text: current, span: SourceSpan(file: file, line: lineNumber, column: startColumn,
                                                              offset: lineStart + startByte, length: current.utf8.count)))
        }
        return words
    }

    /// Applies a fix's edits file by file and returns the analyzer over the edited texts.
    func applying(_ fix: Fix) -> TorchImageSketch {
        var copy = self
        for file in Set(fix.edits.map(\.file)) {
            let edits = fix.edits.filter { $0.file == file }
            if file == Self.dockerfileName {
                copy.dockerfile = String(decoding: TextEdit.apply(edits, to: Array(dockerfile.utf8)), as: UTF8.self)
            } else if let text = requirements[file] {
                copy.requirements[file] = String(decoding: TextEdit.apply(edits, to: Array(text.utf8)), as: UTF8.self)
            }
        }
        return copy
    }

    /// The text of a file by name.
    func text(of file: String) -> String? {
        file == Self.dockerfileName ? dockerfile : requirements[file]
    }
}

extension TorchImageSketch {
    /// The rules' findings on this image.
    func findings() -> [Finding] { TorchRules.check(facts()) }

    /// The findings of one rule.
    func findings(_ rule: String) -> [Finding] { findings().filter { $0.rule == rule } }
}

extension SeededGenerator {
    /// A number in 0..<bound (0 when bound is not positive).
    mutating func below(_ bound: Int) -> Int {
        bound <= 0 ? 0 : Int(next() % UInt64(bound))
    }
}
