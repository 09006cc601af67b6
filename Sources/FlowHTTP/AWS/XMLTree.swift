import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML document as a small tree: enough to read AWS Query and REST-XML responses
/// (`GetCallerIdentityResult/Account`, `ListStacksResult/StackSummaries/member`). Namespaces
/// are ignored; element names are matched without their prefix.
public struct XMLTree: Sendable, Equatable {
    public var name: String
    public var text: String
    public var children: [XMLTree]

    public init(name: String, text: String = "", children: [XMLTree] = []) {
        self.name = name
        self.text = text
        self.children = children
    }

    /// Parses `data`; nil when it is not well-formed XML.
    public static func parse(_ data: Data) -> XMLTree? {
        let builder = Builder()
        let parser = XMLParser(data: data)
        parser.delegate = builder
        parser.shouldProcessNamespaces = true
        guard parser.parse(), let root = builder.root else { return nil }
        return root
    }

    /// The first child called `name`.
    public func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }

    public func all(_ name: String) -> [XMLTree] { children.filter { $0.name == name } }

    /// Follows a path of child names: `tree["GetCallerIdentityResult", "Account"]`.
    public subscript(path: String...) -> XMLTree? {
        var node: XMLTree? = self
        for name in path { node = node?.child(name) }
        return node
    }

    /// The first element called `name` anywhere below (depth first), this one included.
    public func find(_ name: String) -> XMLTree? {
        if self.name == name { return self }
        for child in children { if let found = child.find(name) { return found } }
        return nil
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [XMLTree] = []
        var root: XMLTree?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            stack.append(XMLTree(name: elementName))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            guard var node = stack.popLast() else { return }
            if !node.children.isEmpty { node.text = node.text.trimmingCharacters(in: .whitespacesAndNewlines) }
            if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
        }
    }
}
