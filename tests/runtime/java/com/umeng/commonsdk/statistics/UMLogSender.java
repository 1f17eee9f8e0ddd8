package com.umeng.commonsdk.statistics;

import java.net.URL;
import java.net.URLConnection;

public class UMLogSender {
    public static URLConnection open(String url) throws Exception {
        return new URL(url).openConnection();
    }
}
