// The page loads these as plain <script> bundles served by the app (/assets/…): no bundler, no CDN.
declare const StompJs: typeof import('@stomp/stompjs');
declare const SockJS: typeof import('sockjs-client');
