use std::process::Command;

async fn run() -> std::io::Result<()> {
    let out = std::process::Command::new("git").arg("status").output()?;
    let st = Command::new("ls")
        .args(["-l", "-a"])
        .current_dir("/")
        .status()?;
    let mut cmd = Command::new("make");
    cmd.arg("all");
    let st2 = cmd.status()?;
    let mut child = cmd.spawn()?;
    child.wait()?;
    let out2 = Command::new("x").spawn().unwrap().wait_with_output()?;
    Ok(())
}

async fn run_tokio() -> std::io::Result<()> {
    use tokio::process::Command;
    let out = Command::new("git").arg("status").output().await?;
    let mut child = Command::new("ls").spawn()?;
    child.wait().await?;
    Ok(())
}
