import Testing
@testable import FlowSteps

@Suite struct RequirementsFileTests {
    static func parse(_ text: String, environment: [String: String] = [:]) -> RequirementsFile {
        RequirementsFile.parse(text, file: "requirements.txt", environment: environment)
    }

    @Test func theTorchFixtureParsesIntoItsEntriesAndOptions() throws {
        let text = try PythonTestSupport.fixture("requirements-torch.txt")
        let file = RequirementsFile.parse(text, file: "requirements-torch.txt", environment: [:])
        #expect(file.findings.isEmpty, "\(file.findings)")
        #expect(file.entries.map(\.kind) == [.named, .named, .named, .named, .named, .named, .url, .vcs, .path, .path])
        #expect(file.entries.map { $0.normalizedName ?? "?" } == [
            "torch", "torchvision", "torchaudio", "transformers", "datasets", "numpy", "triton", "accelerate", "?", "flash-attn",
        ])
        let torch = try #require(file.entries.first)
        #expect(torch.hashes.count == 2)
        #expect(torch.requirement?.pinnedVersion?.description == "2.4.1+cu121")
        #expect(torch.lineSpan.line == 5)
        #expect(PythonTestSupport.slice(text, torch.lineSpan)?.hasSuffix("e8\n") == true)
        #expect(PythonTestSupport.slice(text, torch.span) == "torch==2.4.1+cu121")
        #expect(PythonTestSupport.slice(text, file.entries[1].span) == "torchvision==0.19.1+cu121")
        #expect(file.entries[3].requirement?.marker != nil)
        #expect(file.entries[6].requirement?.pinnedVersion?.description == "3.0.0")
        #expect(file.entries[8].isEditable && file.entries[8].location == "./training")
        #expect(file.entries[9].requirement?.pinnedVersion?.description == "2.6.3")
        #expect(file.includes.map(\.path) == ["constraints.txt"])
        #expect(file.includes.first?.kind == .constraints)
        #expect(file.indexOptions.map(\.value) == ["https://download.pytorch.org/whl/cu121"])
        #expect(file.indexOptions.first?.valueSpan.map { PythonTestSupport.slice(text, $0) } == "https://download.pytorch.org/whl/cu121")
    }

    @Test func commentsStartAtLineStartOrAfterWhitespace() {
        let file = Self.parse("# heading\n  # indented\nnumpy==1.26.4 # pinned\nhttps://x.org/pkg.zip#egg=pkg\n")
        #expect(file.entries.count == 2)
        #expect(file.entries[0].requirement?.text == "numpy==1.26.4")
        #expect(file.entries[1].location == "https://x.org/pkg.zip#egg=pkg")
        #expect(file.entries[1].normalizedName == "pkg")
    }

    @Test func continuationsJoinLinesAndTheEntryCoversThemAll() {
        let text = "a==1\ntorch \\\n==2.4.1\nb==2\n"
        let file = Self.parse(text)
        #expect(file.entries.map { $0.requirement?.text ?? "" } == ["a==1", "torch ==2.4.1", "b==2"])
        let torch = file.entries[1]
        #expect(torch.lineSpan == SourceSpan(file: "requirements.txt", line: 2, column: 1, offset: 5, length: 16))
        #expect(torch.requirement?.specifierSpan.map { PythonTestSupport.slice(text, $0) } == "==2.4.1")
        #expect(torch.requirement?.specifierSpan?.line == 3)
        let removed = String(decoding: TextEdit.apply([torch.removal], to: Array(text.utf8)), as: UTF8.self)
        #expect(removed == "a==1\nb==2\n")
    }

    @Test func aCommentLineEndsAContinuation() {
        let file = Self.parse("foo==1 \\\n# note \\\nbar==2\n")
        #expect(file.entries.map { $0.requirement?.name ?? "" } == ["foo", "bar"])
        #expect(file.entries[0].lineSpan.length == "foo==1 \\\n# note \\\n".utf8.count)
    }

    @Test func variablesExpandOnlyInBracesUpperCaseAndKnown() {
        let file = Self.parse("torch==${TORCH_VERSION}\n--index-url ${INDEX}/cu121\nx==$TORCH_VERSION\n", environment: [
            "TORCH_VERSION": "2.4.1", "INDEX": "https://download.pytorch.org/whl",
        ])
        #expect(file.entries.first?.requirement?.pinnedVersion?.description == "2.4.1")
        #expect(file.entries.first?.requirement?.specifierSpan?.length == "==${TORCH_VERSION}".utf8.count)
        #expect(file.options.first?.value == "https://download.pytorch.org/whl/cu121")
        #expect(file.findings.count == 1)
        #expect(file.findings.first?.span.line == 3)
        let unknown = Self.parse("torch==${NOPE}\nnumpy==${lower}\n", environment: ["X": "1"])
        #expect(unknown.findings.map(\.span.line) == [1, 2])
    }

    @Test func everyOptionSpellingIsRead() {
        let text = """
        -r other.txt
        --requirement=more.txt
        -rlast.txt
        -c c.txt
        -i https://pypi.org/simple
        --index-url=https://mirror/simple
        --extra-index https://download.pytorch.org/whl/cu121
        --no-index
        -f ./wheels
        --pre
        --prefer-binary
        --only-binary :all:
        --no-binary torch
        --require-hashes
        --trusted-host mirror
        --use-feature truststore
        pkg==1 --config-settings editable_mode=compat --global-option=--quiet -C a=b
        """
        let file = Self.parse(text)
        #expect(file.findings.isEmpty, "\(file.findings)")
        #expect(file.includes.map(\.path) == ["other.txt", "more.txt", "last.txt", "c.txt"])
        #expect(file.includes.map(\.kind) == [.requirements, .requirements, .requirements, .constraints])
        #expect(file.options.map(\.name) == [
            "--index-url", "--index-url", "--extra-index-url", "--no-index", "--find-links", "--pre", "--prefer-binary",
            "--only-binary", "--no-binary", "--require-hashes", "--trusted-host", "--use-feature",
        ])
        #expect(file.sets("--require-hashes") && file.sets("--pre"))
        #expect(file.entries.first?.options.map(\.name) == ["--config-settings", "--global-option", "--config-settings"])
        #expect(file.includes[2].pathSpan.column == 3)
    }

    @Test func badLinesAreLocatedFindingsAndParsingGoesOn() {
        let text = "a==1\n--frobnicate\ntorch >=\n--hash=sha256:abc\nb==2 --index-url x\n-e\nstray\tword ==1\nc==3\n"
        let file = Self.parse(text)
        #expect(file.entries.compactMap(\.requirement?.name) == ["a", "b", "c"])
        let located = file.findings.map { "\($0.span.line):\($0.span.column)" }
        #expect(located == ["2:1", "3:7", "4:1", "5:6", "6:1", "7:7"], "\(file.findings.map(\.message))")
        #expect(file.findings.allSatisfy { $0.rule == "requirements-syntax" && $0.severity == .error })
        #expect(file.findings[0].message.contains("--frobnicate"))
    }

    @Test func aMisspeltOptionIsOneFindingNotAlsoAStrayRequirement() {
        let file = Self.parse("--trusted-hots download.pytorch.org\n--pr https://x/simple\n--frobnicate --pre\nnumpy==1.26.4\n")
        #expect(file.findings.map { "\($0.span.line):\($0.span.column)" } == ["1:1", "2:1", "3:1"], "\(file.findings.map(\.message))")
        #expect(file.findings[0].message == "unknown option `--trusted-hots`")
        #expect(file.sets("--pre"))
        #expect(file.entries.compactMap(\.requirement?.name) == ["numpy"])
    }

    @Test func urlsAndPathsTakeTheirNameFromEggOrFileName() {
        let text = """
        https://download.pytorch.org/whl/cu121/torch-2.4.1%2Bcu121-cp311-cp311-linux_x86_64.whl
        torch_vision-0.19.1+cu121-cp311-cp311-linux_x86_64.whl
        git+https://github.com/org/repo.git@v1#egg=my_pkg&subdirectory=src
        -e git+https://github.com/org/tool.git#egg=tool
        -e .
        ./local/dir
        https://example.com/archive/main.zip
        pkg @ https://example.com/pkg-2.0.tar.gz
        """
        let file = Self.parse(text)
        #expect(file.findings.isEmpty, "\(file.findings)")
        #expect(file.entries.map(\.kind) == [.url, .path, .vcs, .vcs, .path, .path, .url, .url])
        #expect(file.entries.map { $0.normalizedName ?? "?" } == ["torch", "torch-vision", "my-pkg", "tool", "?", "?", "?", "pkg"])
        #expect(file.entries[0].requirement?.pinnedVersion?.description == "2.4.1+cu121")
        #expect(file.entries[0].requirement.map { PythonTestSupport.slice(text, $0.nameSpan) } == "torch")
        #expect(file.entries[3].isEditable && file.entries[4].isEditable)
        #expect(file.entries[7].requirement?.url == "https://example.com/pkg-2.0.tar.gz")
    }

    @Test func crlfLineEndingsAndAMissingFinalNewlineAreHandled() {
        let text = "a==1\r\nb==2"
        let file = Self.parse(text)
        #expect(file.entries.compactMap(\.requirement?.text) == ["a==1", "b==2"])
        #expect(file.entries[0].lineSpan.length == 6)
        #expect(file.entries[1].lineSpan == SourceSpan(file: "requirements.txt", line: 2, column: 1, offset: 6, length: 4))
    }

    @Test func findingsStopAtTheLimit() {
        let file = Self.parse(String(repeating: "--bad\n", count: 300))
        #expect(file.findings.count == RequirementsFile.maximumFindings + 1)
    }
}
