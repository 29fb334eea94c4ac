import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
/** The cost of one HMAC-SHA-256 (the JDK's Mac) over a 300-byte cluster frame: `taskset -c 1 java bench/micro/HmacCost.java`. */
public class HmacCost {
    public static void main(String[] a) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
        byte[] frame = new byte[300 + 32];
        long sink = 0;
        for (int round = 0; round < 5; round++) {
            int n = 1_000_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                frame[0] = (byte) i;
                mac.update(frame, 0, 300);
                mac.doFinal(frame, 300);
                sink += frame[301];
            }
            long t1 = System.nanoTime();
            System.out.printf("round %d: %.0f ns per HMAC-SHA-256 of 300 bytes%n", round, (t1 - t0) / (double) n);
        }
        System.out.println(sink == 42 ? "" : "done");
    }
}
