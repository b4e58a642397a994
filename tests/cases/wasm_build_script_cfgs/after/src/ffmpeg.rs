pub fn version() -> std::io::Result<std::process::Output> {
    std::process::Command::new("ffmpeg").arg("-version").output()
}
