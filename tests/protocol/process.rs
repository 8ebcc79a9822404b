//! The plugin process as Terraform drives it: the go-plugin handshake with
//! AutoMTLS, plaintext (h2c) mode, the helper services, shutdown, and what
//! running the binary by hand says.

use super::*;

#[tokio::test]
async fn plugin_mode_with_auto_mtls() {
    let cert = go_plugin_client_cert();
    let mut plugin = Plugin::start(Some(&cert.pem));
    let channel = plugin
        .tls_channel(ClientIdentity::Cert(&cert))
        .await
        .unwrap_or_else(|e| panic!("mTLS connect failed: {e:?}; stderr:\n{}", plugin.stderr()));
    let mut client = provider_client(&channel);

    let schema = get_schema(&mut client).await;
    check_schema_response(&schema);

    // go-plugin checks the "plugin" service before using the connection.
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
    let status = within(
        "health check",
        health.check(tonic_health::pb::HealthCheckRequest {
            service: "plugin".into(),
        }),
    )
    .await
    .unwrap()
    .into_inner()
    .status;
    assert_eq!(
        status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );

    // go-plugin opens the stdio stream right away; it stays open and silent.
    let mut stdio = plugin_pb::grpc_stdio_client::GrpcStdioClient::new(channel.clone());
    let mut stream = within("StreamStdio", stdio.stream_stdio(()))
        .await
        .unwrap()
        .into_inner();
    let early = tokio::time::timeout(Duration::from_millis(200), stream.message()).await;
    assert!(
        early.is_err(),
        "stdio stream sent or ended early: {early:?}"
    );

    // Only Terraform's certificate opens the door.
    let stranger = go_plugin_client_cert();
    for (what, identity) in [
        ("no client certificate", ClientIdentity::Anonymous),
        ("another certificate", ClientIdentity::Cert(&stranger)),
    ] {
        let outcome = match plugin.tls_channel(identity).await {
            Err(e) => Err(format!("connect: {e:?}")),
            Ok(ch) => {
                let mut c = provider_client(&ch);
                let r = tokio::time::timeout(
                    STEP_TIMEOUT,
                    c.get_provider_schema(pb::get_provider_schema::Request::default()),
                )
                .await;
                match r {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(status)) => Err(format!("rpc: {status}")),
                    Err(_) => Err("rpc timed out".into()),
                }
            }
        };
        assert!(outcome.is_err(), "a connection with {what} was accepted");
    }

    // Ctrl-C reaches the whole process group; the provider must survive it
    // (Terraform cancels through StopProvider instead).
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(plugin.pid(), libc::SIGINT) }, 0);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(plugin.is_running(), "SIGINT killed the provider");
    let again = get_schema(&mut client).await;
    assert!(again.resource_schemas.contains_key("postgresql_role"));

    // Shutdown must end the process well within Terraform's two seconds, even
    // while this client keeps its connection and stdio stream open.
    let mut controller =
        plugin_pb::grpc_controller_client::GrpcControllerClient::new(channel.clone());
    let asked = Instant::now();
    within("Shutdown", controller.shutdown(plugin_pb::Empty {}))
        .await
        .unwrap();
    let status = plugin.wait_exit(SHUTDOWN_GRACE).await;
    let took = asked.elapsed();
    let Some(status) = status else {
        panic!(
            "still running {took:?} after Shutdown; stderr:\n{}",
            plugin.stderr()
        );
    };
    assert!(
        status.success(),
        "exit status {status:?}; stderr:\n{}",
        plugin.stderr()
    );
    assert!(took < SHUTDOWN_GRACE, "took {took:?}");
    let ended = tokio::time::timeout(Duration::from_secs(1), stream.message()).await;
    assert!(
        !matches!(ended, Ok(Ok(Some(_)))),
        "stdio stream carried data: {ended:?}"
    );

    let rest = plugin.stdout_after_handshake();
    assert!(
        rest.is_empty(),
        "stdout after the handshake line: {:?}",
        String::from_utf8_lossy(&rest)
    );
    assert!(
        !plugin.handshake.socket.exists(),
        "socket {:?} left behind",
        plugin.handshake.socket
    );
}

// ---------------------------------------------------------------------------
// 2. Run by hand
// ---------------------------------------------------------------------------

/// Runs the binary with the given environment and returns (status, stdout, stderr).
fn run_by_hand(env: &[(&str, &str)]) -> (ExitStatus, String, String) {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let out = Arc::new(Mutex::new(Vec::new()));
    let err = Arc::new(Mutex::new(Vec::new()));
    drain_into(child.stdout.take().unwrap(), out.clone());
    drain_into(child.stderr.take().unwrap(), err.clone());
    let deadline = Instant::now() + STEP_TIMEOUT;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the binary did not exit by itself with env {env:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // Let the drain threads see EOF.
    std::thread::sleep(Duration::from_millis(50));
    let text = |b: &Arc<Mutex<Vec<u8>>>| String::from_utf8_lossy(&b.lock().unwrap()).into_owned();
    (status, text(&out), text(&err))
}

#[test]
fn run_by_hand_explains_and_exits() {
    let (status, stdout, stderr) = run_by_hand(&[]);
    assert!(!status.success());
    assert!(stdout.is_empty(), "stdout: {stdout:?}");
    assert!(
        stderr.contains("This binary is a plugin"),
        "stderr: {stderr:?}"
    );

    // A wrong cookie is the same as none.
    let (status, stdout, stderr) = run_by_hand(&[("TF_PLUGIN_MAGIC_COOKIE", "nope")]);
    assert!(!status.success());
    assert!(stdout.is_empty(), "stdout: {stdout:?}");
    assert!(
        stderr.contains("This binary is a plugin"),
        "stderr: {stderr:?}"
    );

    let (status, stdout, stderr) = run_by_hand(&[
        ("TF_PLUGIN_MAGIC_COOKIE", COOKIE),
        ("PLUGIN_PROTOCOL_VERSIONS", "4,5"),
    ]);
    assert!(!status.success());
    assert!(stdout.is_empty(), "stdout: {stdout:?}");
    assert!(stderr.contains("protocol 6"), "stderr: {stderr:?}");
}

// ---------------------------------------------------------------------------
// 3. Plaintext mode
// ---------------------------------------------------------------------------

#[tokio::test]
async fn plaintext_mode_serves_h2c() {
    let mut plugin = Plugin::start(None);
    let channel = plugin.plain_channel().await;
    let mut client = provider_client(&channel);
    let meta = within(
        "GetMetadata",
        client.get_metadata(pb::get_metadata::Request::default()),
    )
    .await
    .unwrap()
    .into_inner();
    assert!(meta
        .resources
        .iter()
        .any(|r| r.type_name == "postgresql_role"));
    assert!(meta.server_capabilities.unwrap().plan_destroy);
    let schema = get_schema(&mut client).await;
    check_schema_response(&schema);

    // A "server" that accepts connections and never answers, so that
    // ConfigureProvider is still waiting for it when Shutdown arrives.
    let silent_dir = tempfile::tempdir().unwrap();
    let silent = tokio::net::UnixListener::bind(silent_dir.path().join(".s.PGSQL.5432")).unwrap();
    let silent_server = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((conn, _)) = silent.accept().await {
            held.push(conn);
        }
    });
    let provider_config = Value::object([
        ("host", Value::string(silent_dir.path().to_str().unwrap())),
        ("port", Value::int(5432)),
        ("sslmode", Value::string("disable")),
        ("connect_timeout", Value::int(60)),
    ]);
    let config = dynamic(&provider_config, &provider_type(&schema));
    let mut configuring_client = client.clone();
    let configuring = tokio::spawn(async move {
        configuring_client
            .configure_provider(pb::configure_provider::Request {
                terraform_version: "1.11.4".into(),
                config,
                ..Default::default()
            })
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !configuring.is_finished(),
        "ConfigureProvider did not wait for the server"
    );

    // Shutdown must end the process within Terraform's two seconds even with
    // that request in flight.
    let mut controller = plugin_pb::grpc_controller_client::GrpcControllerClient::new(channel);
    let asked = Instant::now();
    within("Shutdown", controller.shutdown(plugin_pb::Empty {}))
        .await
        .unwrap();
    let status = plugin.wait_exit(SHUTDOWN_GRACE).await;
    let Some(status) = status else {
        panic!(
            "still running {:?} after Shutdown with a request in flight; stderr:\n{}",
            asked.elapsed(),
            plugin.stderr()
        );
    };
    assert!(status.success(), "exit status {status:?}");
    configuring.abort();
    silent_server.abort();
    assert!(plugin.stdout_after_handshake().is_empty());
    assert!(!plugin.handshake.socket.exists());
}
