use super::*;

#[test]
fn paths_stay_inside_the_upload() {
    let cases = [
        ("secrets/db.txt", Some("secrets/db.txt")),
        ("./secrets//db.txt", Some("secrets/db.txt")),
        ("a/./b", Some("a/b")),
        ("../etc/passwd", None),
        ("a/../../b", None),
        ("a/../b", None),
        ("/etc/passwd", None),
        ("C:\\x", None),
        ("", None),
        (".", None),
    ];
    for (path, want) in cases {
        assert_eq!(inside(path).as_deref(), want, "{path:?}");
    }
}

#[test]
fn variables_from_lines() {
    let vars = variables("# comment\n\nA=1\nexport B = two words \nC=\"quoted\"\nD='x'\nE=\nF==\n")
        .expect("valid");
    let want: Vec<(&str, &str)> = vec![
        ("A", "1"),
        ("B", "two words"),
        ("C", "quoted"),
        ("D", "x"),
        ("E", ""),
        ("F", "="),
    ];
    let got: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(got, want);
    for bad in ["NOEQUALS", "1A=x", "A B=x", "=x"] {
        let e = variables(bad).expect_err(bad);
        assert_eq!(e.field, "variables");
        assert!(e.message.starts_with("line 1:"), "{bad}: {}", e.message);
    }
}

fn upload(name: &str, text: &str) -> UploadedFile {
    UploadedFile {
        name: name.into(),
        text: text.into(),
    }
}

#[test]
fn named_files_come_from_the_upload_only() {
    let upload = [upload("secrets/db.txt", "pw"), upload("app.env", "A=1")];
    let named = vec!["./secrets/db.txt".to_string(), "app.env".to_string()];
    let files = files(&named, &upload).expect("all uploaded");
    assert_eq!(files["./secrets/db.txt"], b"pw");
    assert_eq!(files["app.env"], b"A=1");
    for (named, why) in [
        ("../outside.txt", "stay inside the upload"),
        ("/etc/shadow", "stay inside the upload"),
        ("missing.txt", "not uploaded"),
    ] {
        let e = super::files(&[named.to_string()], &upload).expect_err(named);
        assert!(e.message.contains(why), "{named}: {}", e.message);
    }
    let e = super::files(&[], &[self::upload("../x", "")]).expect_err("bad upload name");
    assert!(e.message.contains("inside the upload"), "{}", e.message);
}

#[test]
fn compose_files_are_bounded() {
    let mut request = DeployRequest::default();
    assert_eq!(sources(&request).expect_err("none").field, "compose");
    request.compose = vec![upload("big.yml", &"#".repeat(MAX_FILE_BYTES + 1))];
    let e = sources(&request).expect_err("big");
    assert!(
        e.message.contains("big.yml: larger than 1 MiB"),
        "{}",
        e.message
    );
    request.compose = vec![upload("", "services: {}")];
    assert_eq!(sources(&request).expect("ok")[0].name, "compose.yml");
}

#[test]
fn secrets_and_configs_hold_data_docker_takes() {
    use bollard::models::{ConfigSpec, SecretSpec};
    let encode = |n: usize| {
        // Base64 of n zero bytes, without a crate: "AAAA" per 3 bytes, padded.
        let mut text = "AAAA".repeat(n / 3);
        match n % 3 {
            1 => text.push_str("AA=="),
            2 => text.push_str("AAA="),
            _ => {}
        }
        text
    };
    for n in [0, 1, 2, 3, 4, 5] {
        assert_eq!(decoded_len(&encode(n)), n, "{n}");
    }
    let secret = |n: usize| SecretSpec {
        name: Some("st_token".into()),
        data: Some(encode(n)),
        ..Default::default()
    };
    let config = |n: usize| ConfigSpec {
        name: Some("st_app".into()),
        data: Some(encode(n)),
        ..Default::default()
    };
    let check = |secrets: Vec<SecretSpec>, configs: Vec<ConfigSpec>| {
        let desired = crate::stack::Desired {
            secrets,
            configs,
            ..Default::default()
        };
        data_sizes(&desired).map_err(|e| e.message)
    };
    assert_eq!(check(vec![secret(1)], vec![config(1)]), Ok(()));
    assert_eq!(check(vec![secret(SECRET_DATA_LIMIT - 1)], vec![]), Ok(()));
    for (secrets, configs, words) in [
        (
            vec![secret(0)],
            vec![],
            "secret st_token: its file is empty",
        ),
        (vec![], vec![config(0)], "config st_app: its file is empty"),
        (
            vec![secret(SECRET_DATA_LIMIT)],
            vec![],
            "Docker takes less than 512000",
        ),
        (
            vec![],
            vec![config(CONFIG_DATA_LIMIT)],
            "Docker takes less than 1024000",
        ),
    ] {
        let message = check(secrets, configs).expect_err(words);
        assert!(message.contains(words), "{message}");
    }
    // A driver-backed secret has no data to check.
    let driven = SecretSpec {
        name: Some("st_vault".into()),
        ..Default::default()
    };
    assert_eq!(check(vec![driven], vec![]), Ok(()));
}
