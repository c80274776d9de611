import Foundation
public import HoistDockerfile

extension Client {
    /// Runs the build checks (`hoist build --check`) on the Dockerfile of `options` without
    /// building: located warnings, and whether the Dockerfile's `# check=error=true` makes them fatal.
    public func check(_ options: BuildOptions) throws -> (report: BuildChecker.Report, syntax: SyntaxTree) {
        let contextPath = options.context.standardizedFileURL.path
        let dockerfilePath = options.dockerfile?.path ?? contextPath + "/Dockerfile"
        guard let text = try? String(contentsOfFile: dockerfilePath, encoding: .utf8) else {
            throw ClientError(.notFound, "cannot read the Dockerfile \(dockerfilePath)")
        }
        let dockerfile = try Dockerfile.parse(text, fileName: (dockerfilePath as NSString).lastPathComponent)
        let ignorePath = DockerIgnoreFile.locate(dockerfile: dockerfilePath, context: contextPath)
        let patterns = ignorePath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }.map(DockerIgnoreFile.patterns) ?? []
        let checker = BuildChecker(
            arguments: BuildArguments(values: options.buildArguments),
            ignoreMatcher: try? DockerIgnoreMatcher(patterns: patterns),
            baseImageEnvironment: storedImageEnvironment)
        return (try checker.check(dockerfile), dockerfile.syntax)
    }
}
