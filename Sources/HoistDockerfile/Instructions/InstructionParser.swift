/// Turns raw ``SyntaxNode``s into typed ``Instruction``s: checks argument counts, parses and
/// validates every flag, and separates heredoc sources from paths.
enum InstructionParser {
    static func parse(_ node: SyntaxNode) throws(InstructionFailure) -> Instruction {
        var flags = InstructionFlags(node.flags)
        let arguments = node.stringArguments
        let name = node.instructionName
        let keyword = name.uppercased()
        let range = node.range

        func requireOne() throws(InstructionFailure) -> String {
            guard arguments.count == 1 else { throw InstructionFailure("\(keyword) requires exactly one argument") }
            return arguments[0]
        }
        func requireSome() throws(InstructionFailure) {
            guard !arguments.isEmpty else { throw InstructionFailure("\(keyword) requires at least one argument") }
        }
        func command() -> CommandForm {
            node.isJSON ? .exec(arguments) : .shell(arguments.joined(separator: " "))
        }

        switch name {
        case "from":
            try flags.parse(["platform": .string])
            let stage: String?
            switch arguments.count {
            case 1: stage = nil
            case 3 where arguments[1].lowercased() == "as": stage = arguments[2]
            default: throw InstructionFailure("FROM requires either one or three arguments")
            }
            if let stage, !isValidStageName(stage.lowercased()) {
                throw InstructionFailure(
                    "invalid name for build stage: \"\(stage)\", name can't start with a number or contain symbols")
            }
            return .from(
                FromInstruction(
                    image: arguments[0], stageName: stage?.lowercased(), stageNameAsWritten: stage,
                    asKeyword: arguments.count == 3 ? arguments[1] : nil, platform: flags.string("platform"),
                    range: range))

        case "run":
            try flags.parse(["mount": .strings, "network": .string, "security": .string, "device": .strings])
            if arguments.isEmpty || (!node.isJSON && arguments.allSatisfy(\.isEmpty)) {
                throw InstructionFailure("RUN requires at least one argument")
            }
            var network: RunNetwork?
            if let value = flags.string("network") {
                guard let parsed = RunNetwork(rawValue: value) else {
                    throw InstructionFailure("invalid network mode \"\(value)\"")
                }
                network = parsed
            }
            var security: RunSecurity?
            if let value = flags.string("security") {
                guard let parsed = RunSecurity(rawValue: value) else {
                    throw InstructionFailure("security \"\(value)\" is not valid")
                }
                security = parsed
            }
            let specifications = flags.strings("mount")
            for specification in specifications {
                try RunMountParser.validateUnexpanded(specification)
                // Values without variables can be checked completely now, with the location.
                if !specification.contains("$") {
                    do { _ = try RunMount.parse(specification) } catch {
                        throw InstructionFailure((error as? RunMountError)?.message ?? "\(error)")
                    }
                }
            }
            var devices: [RunDevice] = []
            for specification in flags.strings("device") {
                do { devices.append(try RunDevice.parse(specification)) } catch {
                    throw InstructionFailure((error as? RunMountError)?.message ?? "\(error)")
                }
            }
            return .run(
                RunInstruction(
                    command: command(), heredocs: node.isJSON ? [] : node.heredocs,
                    mountSpecifications: specifications, devices: devices, network: network, security: security,
                    flagsUsed: flags.used, range: range))

        case "cmd":
            try flags.parse([:])
            if !node.isJSON { try requireSome() }
            return .cmd(CmdInstruction(command: command(), range: range))

        case "entrypoint":
            try flags.parse([:])
            if !node.isJSON { try requireSome() }
            return .entrypoint(EntrypointInstruction(command: command(), range: range))

        case "shell":
            try flags.parse([:])
            try requireSome()
            guard node.isJSON else { throw InstructionFailure("SHELL requires the arguments to be in JSON form") }
            return .shell(ShellInstruction(shell: arguments, range: range))

        case "env", "label":
            try flags.parse([:])
            try requireSome()
            guard arguments.count % 3 == 0 else {
                throw InstructionFailure("Bad input to \(keyword), too many arguments")
            }
            var pairs: [KeyValuePair] = []
            for index in stride(from: 0, to: arguments.count, by: 3) {
                guard !arguments[index].isEmpty else { throw InstructionFailure("\(keyword) names can not be blank") }
                pairs.append(
                    KeyValuePair(
                        key: arguments[index], value: arguments[index + 1], usesEquals: arguments[index + 2] == "="))
            }
            return name == "env"
                ? .env(EnvInstruction(pairs: pairs, range: range))
                : .label(LabelInstruction(pairs: pairs, range: range))

        case "arg":
            try flags.parse([:])
            try requireSome()
            let declarations = arguments.map { word -> ArgDeclaration in
                let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(parts[0])
                return ArgDeclaration(
                    name: name, defaultValue: parts.count == 2 ? String(parts[1]) : nil,
                    comment: comment(describing: name, in: node.comments))
            }
            if declarations.contains(where: \.name.isEmpty) { throw InstructionFailure("ARG names can not be blank") }
            return .arg(ArgInstruction(declarations: declarations, range: range))

        case "copy":
            try flags.parse([
                "from": .string, "chown": .string, "chmod": .string, "link": .bool, "parents": .bool,
                "exclude": .strings,
            ])
            let (sources, inline, destination) = try sourcesAndDestination(node, keyword: keyword)
            // BuildKit never expands --from (a stage's ARGs would hide its dependencies) and
            // rejects text that expansion would change.
            if let from = flags.string("from"),
                (try? ShellLex().process(from, lookup: { _ in nil }).value) != from
            {
                throw InstructionFailure(
                    "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround",
                    flag: "from")
            }
            return .copy(
                CopyInstruction(
                    sources: sources, inlineSources: inline, destination: destination, from: flags.string("from"),
                    chown: flags.string("chown"), chmod: flags.string("chmod"), link: flags.bool("link"),
                    parents: flags.bool("parents"), excludes: flags.strings("exclude"), isJSON: node.isJSON,
                    range: range))

        case "add":
            try flags.parse([
                "chown": .string, "chmod": .string, "link": .bool, "checksum": .string, "keep-git-dir": .bool,
                "unpack": .bool, "exclude": .strings,
            ])
            let (sources, inline, destination) = try sourcesAndDestination(node, keyword: keyword)
            return .add(
                AddInstruction(
                    sources: sources, inlineSources: inline, destination: destination, chown: flags.string("chown"),
                    chmod: flags.string("chmod"), link: flags.bool("link"), checksum: flags.string("checksum"),
                    keepGitDirectory: flags.bool("keep-git-dir"),
                    unpack: flags.used.contains("unpack") ? flags.bool("unpack") : nil,
                    excludes: flags.strings("exclude"), isJSON: node.isJSON, range: range))

        case "expose":
            try flags.parse([:])
            try requireSome()
            // Docker sorts the ports, so their order never changes the image or its cache key.
            return .expose(ExposeInstruction(ports: arguments.sorted(), range: range))

        case "volume":
            try flags.parse([:])
            try requireSome()
            if arguments.contains(where: { $0.trimmingUnicodeSpace().isEmpty }) {
                throw InstructionFailure("VOLUME specified can not be an empty string")
            }
            return .volume(
                VolumeInstruction(
                    paths: arguments.map { $0.trimmingUnicodeSpace() }, isJSON: node.isJSON, range: range))

        case "user":
            try flags.parse([:])
            return .user(UserInstruction(user: try requireOne(), range: range))

        case "workdir":
            try flags.parse([:])
            return .workdir(WorkdirInstruction(path: try requireOne(), range: range))

        case "stopsignal":
            try flags.parse([:])
            return .stopSignal(StopSignalInstruction(signal: try requireOne(), range: range))

        case "maintainer":
            try flags.parse([:])
            return .maintainer(MaintainerInstruction(maintainer: try requireOne(), range: range))

        case "healthcheck":
            return .healthcheck(try healthcheck(node, flags: &flags))

        case "onbuild":
            try flags.parse([:])
            guard case .instruction(var child)? = node.arguments.first else {
                throw InstructionFailure("ONBUILD requires at least one argument")
            }
            let trigger = child.keyword.uppercased()
            switch trigger {
            case "ONBUILD": throw InstructionFailure("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
            case "MAINTAINER", "FROM": throw InstructionFailure("\(trigger) isn't allowed as an ONBUILD trigger")
            default: break
            }
            child.heredocs = node.heredocs
            var expression = String(child.original.trimmingUnicodeSpace())
            for heredoc in node.heredocs { expression += "\n" + heredoc.content + heredoc.name }
            return .onbuild(OnbuildInstruction(expression: expression, trigger: try parse(child), range: range))

        default:
            let hint = suggestion(for: node.keyword, among: Instruction.keywords).map { " (did you mean \($0.uppercased())?)" } ?? ""
            throw InstructionFailure("unknown instruction: \(node.keyword)\(hint)")
        }
    }

    /// The BuildKit rule for stage names: a letter, then letters, digits, `-`, `_` or `.`.
    static func isValidStageName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "."
        }
    }

    /// The comment that documents an ARG: the first comment line starting with its name.
    private static func comment(describing name: String, in comments: [String]) -> String? {
        comments.first { $0.hasPrefix(name + " ") }.map { String($0.dropFirst(name.count + 1)) }
    }

    private static func sourcesAndDestination(_ node: SyntaxNode, keyword: String) throws(InstructionFailure)
        -> ([String], [InlineSource], String)
    {
        let arguments = node.stringArguments
        guard arguments.count >= 2 else {
            throw InstructionFailure(
                "\(keyword) requires at least two arguments, but only one was provided. Destination could not be determined"
            )
        }
        let destination = arguments[arguments.count - 1]
        if !node.isJSON, (try? HeredocDelimiter.parse(destination)) != nil {
            throw InstructionFailure("\(keyword) cannot accept a heredoc as a destination")
        }
        var sources: [String] = []
        var inline: [InlineSource] = []
        for source in arguments.dropLast() {
            if !node.isJSON, let opener = try? HeredocDelimiter.parse(source),
                let heredoc = node.heredocs.first(where: { $0.name == opener.name })
            {
                inline.append(
                    InlineSource(name: heredoc.name, content: heredoc.effectiveContent, expands: heredoc.expands))
            } else {
                sources.append(source)
            }
        }
        return (sources, inline, destination)
    }

    private static func healthcheck(_ node: SyntaxNode, flags: inout InstructionFlags) throws(InstructionFailure)
        -> HealthcheckInstruction
    {
        let arguments = node.stringArguments
        guard let kind = arguments.first?.uppercased() else {
            throw InstructionFailure("HEALTHCHECK requires at least one argument")
        }
        let rest = Array(arguments.dropFirst())
        if kind == "NONE" {
            guard rest.isEmpty else { throw InstructionFailure("HEALTHCHECK NONE takes no arguments") }
            return HealthcheckInstruction(check: nil, range: node.range)
        }
        try flags.parse([
            "interval": .string, "timeout": .string, "start-period": .string, "start-interval": .string,
            "retries": .string,
        ])
        guard kind == "CMD" else {
            throw InstructionFailure("Unknown type \"\(arguments[0])\" in HEALTHCHECK (try CMD)")
        }
        let command: CommandForm = node.isJSON ? .exec(rest) : .shell(rest.joined(separator: " "))
        if rest.isEmpty { throw InstructionFailure("Missing command after HEALTHCHECK CMD") }
        func interval(_ name: String) throws(InstructionFailure) -> Int64? {
            guard let text = flags.string(name), !text.isEmpty else { return nil }
            guard let value = GoDuration.nanoseconds(text) else {
                throw InstructionFailure("time: invalid duration \"\(text)\"")
            }
            if value == 0 { return 0 }
            // Negative durations fall under the same minimum, as in Docker.
            if value < 1_000_000 { throw InstructionFailure("Interval \"\(name)\" cannot be less than 1ms") }
            return value
        }
        var retries: Int?
        if let text = flags.string("retries"), !text.isEmpty {
            guard let value = Int32(text) else {
                throw InstructionFailure("strconv.ParseInt: parsing \"\(text)\": invalid syntax")
            }
            guard value >= 0 else { throw InstructionFailure("--retries cannot be negative (\(value))") }
            retries = Int(value)
        }
        return HealthcheckInstruction(
            check: HealthcheckConfiguration(
                command: command, interval: try interval("interval"), timeout: try interval("timeout"),
                startPeriod: try interval("start-period"), startInterval: try interval("start-interval"),
                retries: retries),
            range: node.range)
    }
}
