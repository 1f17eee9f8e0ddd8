package android.net;

public class ConnectivityManager {
    public NetworkInfo getActiveNetworkInfo() {
        return new NetworkInfo();
    }
}
