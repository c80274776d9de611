/// A `--chmod` value, as BuildKit takes it: octal bits (`755`, `0644`) that replace each copied
/// file's permissions, or a symbolic change as chmod(1) writes it (`go-w`, `u=rw,g=r,o=r`,
/// `a+X`) applied to each file's own permissions, with no umask.
public struct ModeChange: Sendable, Hashable, CustomStringConvertible {
    /// One `who op perms` part of a symbolic change.
    struct Clause: Sendable, Hashable {
        /// The bits the change may touch (`u` is 0o4700, …, `a` all).
        var who: UInt32
        var operations: [Operation]
    }

    /// `+rw`, `-x`, `=u`: an operator and the permissions it takes.
    struct Operation: Sendable, Hashable {
        var symbol: Character
        var permissions: String
    }

    /// The octal bits, when the change is octal.
    public let octal: UInt32?
    let clauses: [Clause]
    public let description: String

    /// Parses `text`.
    /// - Throws: ``BuildError`` (`invalidArgument`) with BuildKit's message for an octal value
    ///   out of range or a malformed one.
    public init(parsing text: String) throws {
        description = text
        if let first = text.unicodeScalars.first, ("0"..."9").contains(first) {
            guard let bits = UInt32(text, radix: 8), bits <= 0o7777 else {
                throw BuildError(
                    .invalidArgument, "invalid chmod parameter: '\(text)'. it should be octal string and between 0 and 07777")
            }
            octal = bits
            clauses = []
            return
        }
        octal = nil
        var clauses: [Clause] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            var who: UInt32 = 0
            var rest = Substring(part)
            while let letter = rest.first, "ugoa".contains(letter) {
                who |= ["u": 0o4700, "g": 0o2070, "o": 0o1007, "a": 0o7777][letter] ?? 0
                rest = rest.dropFirst()
            }
            var operations: [Operation] = []
            while let symbol = rest.first {
                guard "+-=".contains(symbol) else { throw Self.invalid(text) }
                rest = rest.dropFirst()
                let permissions = rest.prefix { "rwxXstugo".contains($0) }
                rest = rest.dropFirst(permissions.count)
                // `ugo` copy another class's bits and stand alone.
                if permissions.contains(where: { "ugo".contains($0) }) && permissions.count != 1 { throw Self.invalid(text) }
                operations.append(Operation(symbol: symbol, permissions: String(permissions)))
            }
            guard !operations.isEmpty else { throw Self.invalid(text) }
            clauses.append(Clause(who: who == 0 ? 0o7777 : who, operations: operations))
        }
        self.clauses = clauses
    }

    private static func invalid(_ text: String) -> BuildError {
        BuildError(.invalidArgument, "invalid chmod parameter: '\(text)'. it should be octal or a symbolic mode such as u+x,go-w")
    }

    /// The permission bits (with setuid, setgid and sticky) a file of `mode` gets.
    public func applied(to mode: UInt32, isDirectory: Bool) -> UInt32 {
        if let octal { return octal }
        let original = mode & 0o7777
        var result = original
        for clause in clauses {
            for operation in clause.operations {
                var bits: UInt32 = 0
                for letter in operation.permissions {
                    switch letter {
                    case "r": bits |= 0o444
                    case "w": bits |= 0o222
                    case "x": bits |= 0o111
                    case "X": if isDirectory || original & 0o111 != 0 { bits |= 0o111 }
                    case "s": bits |= 0o6000
                    case "t": bits |= 0o1000
                    case "u": bits |= ((result >> 6) & 7) * 0o111
                    case "g": bits |= ((result >> 3) & 7) * 0o111
                    case "o": bits |= (result & 7) * 0o111
                    default: break
                    }
                }
                bits &= clause.who
                switch operation.symbol {
                case "+": result |= bits
                case "-": result &= ~bits
                default: result = (result & ~(clause.who & 0o7777)) | bits
                }
            }
        }
        return result
    }
}
