use std::time::Instant;
use tests::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_speed() {
    let net = Net::new();
    let town = net.township("T01", free_port(), None).await;
    let t = Instant::now();
    accept_cases(town.core(), 5000);
    eprintln!("5000 cases in {:?}", t.elapsed());
    town.stop().await;
    let _ = std::fs::remove_dir_all("/tmp/exp");
    std::process::Command::new("cp").arg("-r").arg(net.root.path()).arg("/tmp/exp").status().unwrap();
}
