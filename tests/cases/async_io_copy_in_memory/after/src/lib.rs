use std::io::{self, Cursor};

async fn convert(data: Vec<u8>, mut file: std::fs::File) -> io::Result<()> {
    // Memory to memory: nothing waits.
    let mut out = Vec::new();
    io::copy(&mut &data[..], &mut out)?;
    io::copy(&mut data.as_slice(), &mut out)?;
    io::copy(&mut Cursor::new(&data), &mut io::sink())?;
    let mut cur = Cursor::new(vec![1u8, 2]);
    std::io::copy(&mut cur, &mut out)?;
    io::copy(&mut &b"abc"[..], &mut out)?;
    // A file on either side blocks.
    io::copy(&mut file, &mut out)?;
    io::copy(&mut data.as_slice(), &mut file)?;
    Ok(())
}
