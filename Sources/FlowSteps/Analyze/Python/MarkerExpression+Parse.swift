extension MarkerExpression {
    /// Parentheses nest at most this deep; deeper is a syntax error (so evaluation recursion is bounded).
    static let maximumDepth = 32

    /// Parses a whole marker (`python_version < "3.10" and (os_name == "posix" or extra == "gpu")`).
    public static func parse(_ text: String) -> Result<MarkerExpression, PythonSyntaxError> {
        var scanner = PEP508Scanner(Array(text.utf8))
        return parseToEnd(&scanner)
    }

    /// Parses from the scanner's position to the end of its text.
    static func parseToEnd(_ scanner: inout PEP508Scanner) -> Result<MarkerExpression, PythonSyntaxError> {
        let result = parseOr(&scanner, depth: 0)
        guard case .success = result else { return result }
        scanner.skipSpaces()
        guard scanner.isAtEnd else {
            return .failure(PythonSyntaxError("expected `and`, `or` or the end of the marker", offset: scanner.position, length: scanner.bytes.count - scanner.position))
        }
        return result
    }

    private static func parseOr(_ scanner: inout PEP508Scanner, depth: Int) -> Result<MarkerExpression, PythonSyntaxError> {
        var operands: [MarkerExpression] = []
        while true {
            switch parseAnd(&scanner, depth: depth) {
            case .success(let operand): operands.append(operand)
            case .failure(let error): return .failure(error)
            }
            let save = scanner.position
            scanner.skipSpaces()
            guard scanner.consumeKeyword("or") else {
                scanner.position = save
                break
            }
        }
        return .success(operands.count == 1 ? operands[0] : .any(operands))
    }

    private static func parseAnd(_ scanner: inout PEP508Scanner, depth: Int) -> Result<MarkerExpression, PythonSyntaxError> {
        var operands: [MarkerExpression] = []
        while true {
            switch parseAtom(&scanner, depth: depth) {
            case .success(let operand): operands.append(operand)
            case .failure(let error): return .failure(error)
            }
            let save = scanner.position
            scanner.skipSpaces()
            guard scanner.consumeKeyword("and") else {
                scanner.position = save
                break
            }
        }
        return .success(operands.count == 1 ? operands[0] : .all(operands))
    }

    private static func parseAtom(_ scanner: inout PEP508Scanner, depth: Int) -> Result<MarkerExpression, PythonSyntaxError> {
        scanner.skipSpaces()
        if scanner.peek() == UInt8(ascii: "(") {
            guard depth < maximumDepth else {
                return .failure(PythonSyntaxError("markers nested more than \(maximumDepth) deep", offset: scanner.position, length: 1))
            }
            let open = scanner.position
            scanner.position += 1
            let inner = parseOr(&scanner, depth: depth + 1)
            guard case .success = inner else { return inner }
            scanner.skipSpaces()
            guard scanner.consume(")") else {
                return .failure(PythonSyntaxError("`(` is not closed", offset: open, length: 1))
            }
            return inner
        }
        let left: Value
        switch parseValue(&scanner) {
        case .success(let value): left = value
        case .failure(let error): return .failure(error)
        }
        scanner.skipSpaces()
        guard let op = parseOperator(&scanner) else {
            return .failure(PythonSyntaxError("expected a marker operator (`==`, `>=`, `in`, …)", offset: scanner.position, length: scanner.isAtEnd ? 0 : 1))
        }
        scanner.skipSpaces()
        switch parseValue(&scanner) {
        case .success(let right): return .success(.comparison(left, op, right))
        case .failure(let error): return .failure(error)
        }
    }

    private static func parseOperator(_ scanner: inout PEP508Scanner) -> Operator? {
        for symbol in ["===", "==", "!=", "<=", ">=", "~=", "<", ">"] where scanner.consume(symbol) {
            return Operator(rawValue: symbol)
        }
        if scanner.consumeKeyword("in") { return .isIn }
        let start = scanner.position
        if scanner.consumeKeyword("not") {
            let afterNot = scanner.position
            scanner.skipSpaces()
            if scanner.position > afterNot, scanner.consumeKeyword("in") { return .notIn }
        }
        scanner.position = start
        return nil
    }

    private static func parseValue(_ scanner: inout PEP508Scanner) -> Result<Value, PythonSyntaxError> {
        let start = scanner.position
        if let quote = scanner.peek(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
            scanner.position += 1
            let contentStart = scanner.position
            while let byte = scanner.peek(), byte != quote { scanner.position += 1 }
            guard !scanner.isAtEnd else {
                return .failure(PythonSyntaxError("the string is not closed", offset: start, length: scanner.position - start))
            }
            let text = scanner.text(contentStart..<scanner.position)
            scanner.position += 1
            return .success(.literal(text))
        }
        let name = scanner.nameCharacters()
        guard !name.isEmpty else {
            return .failure(PythonSyntaxError("expected a marker variable or a quoted string", offset: start, length: scanner.isAtEnd ? 0 : 1))
        }
        let text = scanner.text(name)
        if variables.contains(text) { return .success(.variable(text)) }
        if let canonical = legacyVariables[text] { return .success(.variable(canonical)) }
        return .failure(PythonSyntaxError("`\(text)` is not a marker variable (python_version, sys_platform, extra, …)", offset: name.lowerBound, length: name.count))
    }
}
