import Testing
@testable import FlowSteps

@Suite struct TextEditTests {
    @Test func editsApplyLastFirstSoOffsetsStayValid() {
        let text = Array("FROM python\nRUN pip install torch\n".utf8)
        let edits = [
            TextEdit(file: "Dockerfile", offset: 11, length: 0, replacement: ":3.11-slim"),
            TextEdit(file: "Dockerfile", offset: 28, length: 5, replacement: "torch==2.4.1"),
        ]
        #expect(String(decoding: TextEdit.apply(edits, to: text), as: UTF8.self) == "FROM python:3.11-slim\nRUN pip install torch==2.4.1\n")
    }

    @Test func anOverlappingEditIsDropped() {
        let text = Array("abcdef".utf8)
        let edits = [TextEdit(file: "f", offset: 1, length: 3, replacement: "X"), TextEdit(file: "f", offset: 2, length: 3, replacement: "Y")]
        #expect(String(decoding: TextEdit.apply(edits, to: text), as: UTF8.self) == "abYf")
    }
}
