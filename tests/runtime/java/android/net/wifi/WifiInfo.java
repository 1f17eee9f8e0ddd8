package android.net.wifi;

public class WifiInfo {
    public String getMacAddress() {
        return System.getProperty("standin.mac", "3c:28:6d:a1:b2:c3");
    }

    public String getSSID() {
        return "\"" + System.getProperty("standin.ssid", "apptest-lab") + "\"";
    }

    public String getBSSID() {
        return "f4:6d:04:3a:9b:2c";
    }
}
