package com.example.rental.net;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.CertificatePinner;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Two pinned HTTPS clients against a local server (args: port, server certificate PEM):
 * A trusts the certificate but pins another key with OkHttp's CertificatePinner; B uses
 * the app's own trust manager that rejects everything. Prints "A ok|fail …", "B ok|fail …".
 */
public class PinningProbe {
    public static void main(String[] args) throws Exception {
        String url = "https://127.0.0.1:" + args[0] + "/pinned";
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        if (in.readLine() == null) {
            return;
        }
        X509TrustManager trusting = trusting(args[1]);
        OkHttpClient pinned = new OkHttpClient.Builder()
                .sslSocketFactory(context(trusting).getSocketFactory(), trusting)
                .certificatePinner(new CertificatePinner.Builder()
                        .add("127.0.0.1", "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
                        .build())
                .build();
        System.out.println("A " + fetch(pinned, url));
        X509TrustManager own = new PinningTrustManager();
        OkHttpClient custom = new OkHttpClient.Builder().sslSocketFactory(context(own).getSocketFactory(), own).build();
        System.out.println("B " + fetch(custom, url));
        System.out.println("done");
        System.out.flush();
        in.readLine();
    }

    static String fetch(OkHttpClient client, String url) {
        try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
            return "ok " + response.code();
        } catch (Exception e) {
            return "fail " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    static SSLContext context(X509TrustManager trustManager) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trustManager}, new SecureRandom());
        return context;
    }

    static X509TrustManager trusting(String pem) throws Exception {
        X509Certificate certificate;
        try (FileInputStream input = new FileInputStream(pem)) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(input);
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("server", certificate);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return (X509TrustManager) factory.getTrustManagers()[0];
    }
}
